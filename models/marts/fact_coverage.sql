{{ config(materialized='view') }}
-- Published coverage per fact; logic in int_fact_coverage (read by check_coverage), for the same reason.
-- The check lists are grouped by association as well as fact, so that a reader's filter on org_id
-- reaches the check results and only that association's checks are listed; a grouping query that does
-- not read check_ids (counts per statement, say) does not build them (macros/check_participations.sql).
with participation as (
    select org_id, fact_key, list_sort(list(check_id)) as check_ids
    from ({{ check_participations() }})
    group by org_id, fact_key
)

select
    c.fact_id, c.org_id, c.fiscal_year, c.statement, c.line_id, c.measure, c.label_printed, c.label_sv,
    c.value, c.unit, c.n_checks, c.is_covered, coalesce(p.check_ids, []) as check_ids, c.unconfirmable_reason
from {{ ref('int_fact_coverage') }} as c
left join participation as p on p.org_id = c.org_id and p.fact_key = c.fact_key
