-- Share of facts that take part in at least one check, per organisation and statement.
-- Grain: (org, statement).
select
    org_id,
    statement,
    count(*)                                              as n_facts,
    count(*) filter (where is_covered)                    as n_covered,
    round(count(*) filter (where is_covered) / count(*), 4) as coverage_share,
    count(*) filter (where not is_covered and unconfirmable_reason is not null) as n_unconfirmable
from {{ ref('int_fact_coverage') }}
group by org_id, statement
