-- Every amount of a fully checked statement (statements.fully_checked: the income statement, balance
-- sheet, cash-flow statement, operating report and Notes 2–5) must take part in at least one check:
-- none of them may be explained away.
select statement, line_id, measure, fiscal_year, value
from {{ ref('fact_coverage') }}
where statement in (select statement from {{ ref('statements') }} where fully_checked)
  and not is_covered
