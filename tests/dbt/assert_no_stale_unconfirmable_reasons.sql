-- A reason registered for an unconfirmable fact is stale once a check does take the fact in
-- (marts.fact_coverage.check_ids lists them; reading them here would build every fact's list).
select org_id, statement, line_id, measure, fiscal_year, n_checks, unconfirmable_reason
from {{ ref('fact_coverage') }}
where is_covered and unconfirmable_reason is not null
