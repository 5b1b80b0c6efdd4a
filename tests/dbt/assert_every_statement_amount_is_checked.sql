-- Every amount of a fully checked statement (statements.fully_checked: the income statement, balance
-- sheet, cash-flow statement, operating report and Notes 2–5) must take part in at least one check:
-- none of them may be explained away.
-- The uncovered facts are grouped (by fact_id: one row each) before the statements are asked: a grouping
-- of the mart that reads no check list lets DuckDB leave the mart's check lists unbuilt, which a plain
-- filtered select does not (at 10 000 org-years, 2.3 s against 0.01 s).
with uncovered as (
    select fact_id, statement, line_id, measure, fiscal_year, value
    from {{ ref('fact_coverage') }}
    where not is_covered
    group by all
)

select statement, line_id, measure, fiscal_year, value
from uncovered
where statement in (select statement from {{ ref('statements') }} where fully_checked)
