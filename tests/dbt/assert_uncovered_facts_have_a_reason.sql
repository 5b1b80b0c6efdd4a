-- A fact that takes part in no check must say why no other figure can confirm it.
select statement, line_id, measure, fiscal_year, value, unit
from {{ ref('fact_coverage') }}
where not is_covered and unconfirmable_reason is null
