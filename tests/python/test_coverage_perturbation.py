"""Every amount of RR, BR, KFA, the operating report and Notes 2–5 is covered by a check: changing any
one of them by one printed unit (1 000 kr for a figure in kr, 1 tkr for one in tkr) or flipping its
sign makes a check fail. The project is built once with its marts as views; each change is made to its
own copy of the association (inside a transaction that is rolled back), so that one plain query checks
them all. A failing check fails the dbt verdict test and the nightly run (test_nightly.py shows that step
end to end)."""

from __future__ import annotations

import csv
import json
from functools import partial
from pathlib import Path

import duckdb
import pytest

with (Path(__file__).resolve().parents[2] / "seeds" / "reference" / "statements.csv").open(encoding="utf-8") as _f:
    STATEMENTS = [r["statement"] for r in csv.DictReader(_f) if r["fully_checked"] == "true"]
STEP = {"kr": 1000, "tkr": 1}
ORG = "sf_vasteras"


def copies_that_fail(con, changes: list[tuple]) -> set[int]:
    """Each change made to its own copy of the association (every seed row with its org_id, the copy's
    number appended), all checked by one query; the numbers of the copies with a failing check. Copy 0
    is left unchanged. Inside a transaction that is rolled back."""
    keyed = [r[0] for r in con.execute(
        "select table_name from information_schema.columns where table_schema = 'seeds' and column_name = 'org_id'").fetchall()]
    con.execute("begin")
    try:
        for table in keyed:
            con.execute(f"""insert into seeds.{table}
                            select t.* replace (t.org_id || '~' || copy.n as org_id)
                            from seeds.{table} as t, range(0, ?) as copy(n) where t.org_id = ?""", [len(changes) + 1, ORG])
        con.execute("""create temp table changes (org_id varchar, report_year integer, fiscal_year integer,
                       statement varchar, line_id varchar, measure varchar, delta integer, flip boolean)""")
        con.executemany("insert into changes values (?, ?, ?, ?, ?, ?, ?, ?)",
                        [[f"{ORG}~{n}", *change] for n, change in enumerate(changes, 1)])
        con.execute("""update seeds.facts_annual_report as f
                       set value = case when c.flip then -f.value else f.value + c.delta end
                       from changes as c
                       where (f.org_id, f.report_year, f.fiscal_year, f.statement, f.line_id, f.measure)
                           = (c.org_id, c.report_year, c.fiscal_year, c.statement, c.line_id, c.measure)""")
        failing = con.execute("select distinct org_id from marts.reconciliations where status = 'fail' and org_id like ?",
                              [f"{ORG}~%"]).fetchall()
        return {int(org.rsplit("~", 1)[1]) for org, in failing}
    finally:
        con.execute("rollback")


@pytest.mark.parametrize("statement", STATEMENTS)
def test_every_amount_is_checked(view_warehouse, statement):
    con = view_warehouse.con
    assert con.execute("select count(*) from marts.reconciliations where status = 'fail'").fetchall()[0][0] == 0
    facts = con.execute(
        """select report_year, fiscal_year, line_id, measure, value, unit from seeds.facts_annual_report
           where org_id = ? and statement = ? order by all""", [ORG, statement]).fetchall()
    assert facts
    changes, names = [], []
    for report_year, fiscal_year, line_id, measure, value, unit in facts:
        key = (report_year, fiscal_year, statement, line_id, measure)
        for name, delta, flip in [("+1 unit", STEP[unit], False), ("-1 unit", -STEP[unit], False), ("sign", 0, True)]:
            if name != "sign" or value != 0:
                changes.append((*key, delta, flip))
                names.append(f"{statement}.{line_id}.{measure} {fiscal_year} ({name})")
    failing = copies_that_fail(con, changes)
    assert 0 not in failing, "an unchanged copy of the association fails a check"
    missed = [name for n, name in enumerate(names, 1) if n not in failing]
    assert not missed, f"changes no check notices: {missed}"


def test_a_reason_for_a_fact_a_check_takes_in_is_reported_stale(view_warehouse):
    """tests/dbt/assert_no_stale_unconfirmable_reasons finds nothing on the real seeds, and finds a reason
    registered for a fact that checks do take in; marts.fact_coverage lists exactly those checks."""
    nodes = json.loads((view_warehouse.target / "manifest.json").read_text(encoding="utf-8"))["nodes"].values()
    (test,) = [n for n in nodes if n["name"] == "assert_no_stale_unconfirmable_reasons"]
    stale_query = (view_warehouse.target / "compiled" / test["package_name"] / test["original_file_path"]).read_text()
    con = view_warehouse.con
    assert con.execute(stale_query).fetchall() == []
    fact_id, statement, line_id, measure, year, n_checks, check_ids = con.execute(
        """select fact_id, statement, line_id, measure, fiscal_year, n_checks, check_ids from marts.fact_coverage
           where org_id = ? and n_checks >= 2 order by statement, line_id, measure, fiscal_year limit 1""", [ORG]).fetchall()[0]
    taking_it_in = con.execute(
        """select list_sort(list(check_id)) from marts.reconciliations
           where org_id = ? and check_family <> 'value_range' and list_contains(fact_ids, ?)""", [ORG, fact_id]).fetchall()[0][0]
    assert check_ids == taking_it_in and len(check_ids) == n_checks
    con.execute("begin")
    try:
        con.execute("insert into seeds.unconfirmable_facts values (?, ?, ?, ?, ?, 'a planted reason')",
                    [ORG, statement, line_id, measure, year])
        assert con.execute(stale_query).fetchall() == [(ORG, statement, line_id, measure, year, n_checks, "a planted reason")]
    finally:
        con.execute("rollback")


def plan_joins(con, query: str) -> int:
    """How many joins DuckDB's plan of the query has."""
    return con.execute(f"explain {query}").fetchall()[0][1].count("Join")


def test_a_grouping_query_that_does_not_read_check_ids_does_not_build_them(pristine):
    """In the published warehouse DuckDB drops fact_coverage's check-list join from such a query: its plan
    joins exactly as often as the same query of int_fact_coverage, which holds no lists. A query of one
    association's check lists does join them."""
    with duckdb.connect(str(pristine.published_db), read_only=True) as con:
        joins = partial(plan_joins, con)
        per_statement = "select statement, count(*) filter (where is_covered) from {} group by statement"
        assert joins(per_statement.format("marts.fact_coverage")) == joins(per_statement.format("intermediate.int_fact_coverage"))
        assert joins("select check_ids from marts.fact_coverage where org_id = 'sf_vasteras'") > \
            joins("select n_checks from intermediate.int_fact_coverage where org_id = 'sf_vasteras'")


def test_the_fully_checked_statements_are_the_ones_the_verdict_test_asks_of(view_warehouse):
    """assert_every_statement_amount_is_checked reads statements.fully_checked: quiet on the real report,
    it names the uncovered figures of a statement that is made fully checked (the web page's key figures,
    which no other printed figure can confirm)."""
    compiled = (view_warehouse.target / "compiled" / "finsam" / "tests" / "dbt"
                / "assert_every_statement_amount_is_checked.sql").read_text(encoding="utf-8")
    con = view_warehouse.con
    assert con.execute(compiled).fetchall() == []
    # it does not build the mart's check lists: its plan joins as often as the same query of
    # int_fact_coverage, which holds none
    assert '"marts"."fact_coverage"' in compiled
    joins = partial(plan_joins, con)
    assert joins(compiled) == joins(compiled.replace('"marts"."fact_coverage"', '"intermediate"."int_fact_coverage"'))
    con.execute("begin")
    try:
        con.execute("update seeds.statements set fully_checked = true where statement = 'KEY'")
        found = con.execute(compiled).fetchall()
    finally:
        con.execute("rollback")
    assert found and {row[0] for row in found} == {"KEY"}
