{{ config(materialized=var('table_materialization', 'table')) }}
-- How many checks each fact takes part in. Grain: one row per fact.
-- A fact that takes part in no check must have a reason in seeds/reference/unconfirmable_facts.csv
-- (a range check does not count: macros/check_participations.sql).
-- Which checks they are (marts.fact_coverage.check_ids) is listed where it is read: a list per fact
-- stored here cost half this model's time at scale, and a reader asks for a few associations at most.
with participation as (
    select fact_key, count(*) as n_checks
    from ({{ check_participations() }})
    group by fact_key
)

select
    f.fact_id,
    f.fact_key,
    f.org_id,
    f.fiscal_year,
    f.statement,
    f.line_id,
    f.measure,
    f.label_printed,
    f.label_sv,
    f.value,
    f.unit,
    coalesce(p.n_checks, 0)                  as n_checks,
    coalesce(p.n_checks, 0) > 0              as is_covered,
    u.reason                                 as unconfirmable_reason
from {{ ref('int_facts') }} as f
left join participation as p using (fact_key)
left join {{ ref('int_unconfirmable_facts') }} as u
    on u.org_id = f.org_id
    and u.statement = f.statement
    and u.line_id = f.line_id
    and u.measure = f.measure
    and (u.fiscal_year is null or u.fiscal_year = f.fiscal_year)
