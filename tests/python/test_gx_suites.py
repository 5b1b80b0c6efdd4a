"""Each Great Expectations suite passes on the real warehouse and fails on a planted error.

The plant is written straight into a copy of the built warehouse, so what is proven is that GX itself
notices, whatever the dbt tests would have said first."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from finsam.run.gx_runner import load_suite_files, run_suites

REPO = Path(__file__).resolve().parents[2]

PLANTS = {
    "facts__values": "update marts.financial_statements set decimals = 3 where statement = 'RR' and fiscal_year = 2023",
    "facts__completeness": "delete from intermediate.int_printed_facts where statement = 'NOT4' and line_id = 'summa'",
    "statements__footing": "update intermediate.int_reconciliations set status = 'fail' where check_id = 'calc.BR.summa_tillgangar.amount:lines'",
    "tie_outs__cross_statement": "update intermediate.int_reconciliations set status = 'fail' where check_id = 'cash:kfa' and fiscal_year = 2023",
    "tie_outs__cash_flow": "update marts.cash_flow_reconciliation set closing_cash_difference_kr = 1 where fiscal_year = 2023",
    "derived__equity_rollforward": "update marts.equity_rollforward set rollforward_status = 'fail' where fiscal_year = 2022",
    "derived__admin_share": "update marts.admin_share set share_of_costs_note3_pct = 140 where fiscal_year = 2023",
    "derived__intervention_deviation": "update marts.intervention_deviation set favourable = not favourable where intervention_id = 'sim' and fiscal_year = 2023",
    "reconciliations__verdict": "update intermediate.int_reconciliations set status = 'known' where check_id = 'cash:kfa' and fiscal_year = 2023",
    "reconciliations__errata": "delete from intermediate.int_reconciliations where check_id = 'goal.kunskap_lokala'",
}


def materialise_planted_view(con, plant: str) -> None:
    """A plant edits rows, and a view has none of its own: replace the view it edits by a table of its rows."""
    target = re.search(r"^(?:update|delete from) (\w+)\.(\w+)", plant).groups()
    if con.execute("select count(*) from duckdb_views() where schema_name = ? and view_name = ?", list(target)).fetchone()[0]:
        relation = ".".join(target)
        con.execute(f"create table {relation}__rows as select * from {relation}")
        con.execute(f"drop view {relation}")
        con.execute(f"alter table {relation}__rows rename to {target[1]}")


def test_every_suite_has_a_plant():
    assert {doc["name"] for doc in load_suite_files(REPO / "expectations")} == set(PLANTS)


def test_all_suites_pass_on_the_real_report(pristine, tmp_path):
    outcomes = run_suites(pristine.published_db, pristine.expectations_dir, tmp_path / "docs")
    assert [s.name for s in outcomes if not s.success] == []
    assert len(outcomes) == len(PLANTS)
    assert (tmp_path / "docs" / "index.html").is_file()


@pytest.mark.parametrize("suite", sorted(PLANTS))
def test_suite_fails_on_a_planted_error(pristine, tmp_path, suite):
    db = tmp_path / "finsam.duckdb"
    shutil.copy2(pristine.published_db, db)
    with duckdb.connect(str(db)) as con:
        materialise_planted_view(con, PLANTS[suite])
        con.execute(PLANTS[suite])
    only = tmp_path / "expectations"
    only.mkdir()
    shutil.copy2(pristine.expectations_dir / f"{suite}.json", only)
    (outcome,) = run_suites(db, only)
    assert not outcome.success
    assert any(not e.success and e.unexpected_count != 0 for e in outcome.expectations)
    # where the suite's rows name their association, the failing expectation names it
    failed = [e for e in outcome.expectations if not e.success and e.unexpected_count]
    query = json.loads((pristine.expectations_dir / f"{suite}.json").read_text(encoding="utf-8"))["meta"]["finsam"]["query"]
    with duckdb.connect(str(db), read_only=True) as con:
        columns = con.sql(query).columns
    if "org_id" in columns:
        assert any(e.unexpected_orgs == ["sf_vasteras"] for e in failed), [vars(e) for e in failed]
