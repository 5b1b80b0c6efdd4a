-- A reason registered for an unconfirmable fact is stale once a check does take the fact in.
select statement, line_id, measure, fiscal_year, check_ids, unconfirmable_reason
from {{ ref('fact_coverage') }}
where is_covered and unconfirmable_reason is not null
