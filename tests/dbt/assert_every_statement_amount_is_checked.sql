-- Every amount of the income statement, balance sheet, cash-flow statement, operating report and
-- Notes 2–5 must take part in at least one check: none of them may be explained away.
select statement, line_id, measure, fiscal_year, value
from {{ ref('fact_coverage') }}
where statement in ('RR', 'BR', 'KFA', 'DR', 'NOT2', 'NOT3', 'NOT4', 'NOT5')
  and not is_covered
