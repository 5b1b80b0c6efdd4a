"""Every amount of RR, BR, KFA, the operating report and Notes 2–5 is covered by a check: changing any
one of them by one printed unit (1 000 kr for a figure in kr, 1 tkr for one in tkr) or flipping its
sign makes a check fail. The project is built once with its marts as views, so that each change to a
seed row (inside a transaction that is rolled back) is re-evaluated by a plain query. A failing check
fails the dbt verdict test and the nightly run (test_nightly.py shows that step end to end)."""

from __future__ import annotations

import duckdb
import pytest

from finsam.dbt_steps import dbt_build

STATEMENTS = ["RR", "BR", "KFA", "DR", "NOT2", "NOT3", "NOT4", "NOT5"]
STEP = {"kr": 1000, "tkr": 1}


@pytest.fixture(scope="module")
def view_warehouse(tmp_path_factory):
    from conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("perturb") / "finsam")
    db = project.root / "views.duckdb"
    outcome = dbt_build(project.root, project.profiles_dir, db, ["--vars", "{table_materialization: view}"])
    assert outcome.returncode == 0, outcome.log_tail
    con = duckdb.connect(str(db))
    yield con
    con.close()


def fails_after(con, sql: str, params: list) -> bool:
    con.execute("begin")
    try:
        con.execute(sql, params)
        return con.execute("select count(*) from marts.reconciliations where status = 'fail'").fetchall()[0][0] > 0
    finally:
        con.execute("rollback")


@pytest.mark.parametrize("statement", STATEMENTS)
def test_every_amount_is_checked(view_warehouse, statement):
    con = view_warehouse
    assert con.execute("select count(*) from marts.reconciliations where status = 'fail'").fetchall()[0][0] == 0
    facts = con.execute(
        """select report_year, fiscal_year, line_id, measure, value, unit from seeds.facts_annual_report
           where statement = ? order by all""", [statement]).fetchall()
    assert facts
    key = "org_id = 'sf_vasteras' and report_year = ? and fiscal_year = ? and statement = ? and line_id = ? and measure = ?"
    missed = []
    for report_year, fiscal_year, line_id, measure, value, unit in facts:
        where = [report_year, fiscal_year, statement, line_id, measure]
        changes = [("+1 unit", f"update seeds.facts_annual_report set value = value + {STEP[unit]} where {key}"),
                   ("-1 unit", f"update seeds.facts_annual_report set value = value - {STEP[unit]} where {key}")]
        if value != 0:
            changes.append(("sign", f"update seeds.facts_annual_report set value = -value where {key}"))
        for name, sql in changes:
            if not fails_after(con, sql, where):
                missed.append(f"{statement}.{line_id}.{measure} {fiscal_year} ({name})")
    assert not missed, f"changes no check notices: {missed}"
