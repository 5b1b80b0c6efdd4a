-- A reason registered for an unconfirmable fact is stale once a check does take the fact in
-- (marts.fact_coverage lists which checks).
select org_id, statement, line_id, measure, fiscal_year, n_checks, unconfirmable_reason
from {{ ref('int_fact_coverage') }}
where is_covered and unconfirmable_reason is not null
