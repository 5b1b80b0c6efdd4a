"""Each rule family catches a planted error in a real `dbt build`; the real report passes. A plant changes
one seed as a person might mistype it, in its own copy of the association: one build checks them all."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from conftest import built_once, copy_project, edit_csv_rows
from finsam.run.dbt_steps import dbt_build

pytestmark = pytest.mark.slow  # whole runs or builds, every test

FACTS = Path("seeds/facts/facts_annual_report.csv")
WEB = Path("seeds/facts/facts_web_key_figures.csv")

PLANTS = {
    "calculation": (FACTS, {"statement": "NOT4", "line_id": "norra_vastmanland", "fiscal_year": "2022"},
                    {"value": "169574"}, "calc.NOT4.summa.amount:lines", 2022),
    "tie_out": (WEB, {"line_id": "result", "fiscal_year": "2019"}, {"value": "1.5"}, "annual_result:web", 2019),
    "rollforward": (FACTS, {"statement": "BR", "line_id": "foregaende_arsresultat", "fiscal_year": "2023"},
                    {"value": "-3440478"}, "annual_result:br_next_year", 2022),
    "text_claim": (FACTS, {"statement": "NARR", "line_id": "admin_utfall", "fiscal_year": "2023"},
                   {"value": "1763"}, "admin_costs:narr", 2023),
    "funding_rule": (FACTS, {"statement": "NOT2", "line_id": "driftbidrag_kommun", "fiscal_year": "2022"},
                     {"value": "2739000"}, "funding_rule.municipality", 2022),
    "ratio_claim": (FACTS, {"statement": "FYO", "line_id": "soliditet", "fiscal_year": "2023"},
                    {"value": "55"}, "soliditet", 2023),
    "goal_status": (Path("seeds/facts/goals.csv"), {"goal_id": "myndighetsgemensamt_team"},
                    {"printed_status": "uppfyllt"}, "goal.myndighetsgemensamt_team", 2023),
    # correcting the five-year overview's sign error makes its registered erratum stale
    "errata": (FACTS, {"statement": "FYO", "line_id": "arets_resultat", "fiscal_year": "2021"},
               {"value": "-471931"}, "erratum:calc.FYO.arets_resultat.amount:lines", 2021),
}


ORG = "sf_vasteras"
# a line and its subtotal both +1 kr: the admin subtotal still foots, the known total check changes figures
HIDING = [(FACTS, {"statement": "NOT3", "line_id": "lon_forbundschef", "fiscal_year": "2023"}, {"value": "795609"}),
          (FACTS, {"statement": "NOT3", "line_id": "summa_admin", "fiscal_year": "2023"}, {"value": "1753771"})]


def copy_of_the_association(project, copy: str, plants: list[tuple[Path, dict, dict]]) -> None:
    """Every seed row of the association again under org_id `copy`, with `plants` made to the copy's rows:
    the copies are checked side by side by one build, each failing only where its plant makes it fail."""
    for seed in sorted((project.root / "seeds").rglob("*.csv")):
        with seed.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            if "org_id" not in (reader.fieldnames or []):
                continue
            copied = [{**row, "org_id": copy} for row in reader if row["org_id"] == ORG]
        with seed.open("a", encoding="utf-8", newline="") as f:
            csv.DictWriter(f, fieldnames=reader.fieldnames, lineterminator="\n").writerows(copied)
    for path, match, change in plants:
        assert edit_csv_rows(project.root / path, {**match, "org_id": copy}, change) == 1, (copy, match)


def _planted_build(folder: Path) -> None:
    """One real `dbt build` of the real report beside one copy of it per plant; its verdict and the failing
    checks by association ({check_id: [family, year]}) into verdict.json."""
    project = copy_project(folder / "finsam")
    for family, (seed, match, change, _, _) in PLANTS.items():
        copy_of_the_association(project, f"{ORG}_{family}", [(seed, match, change)])
    copy_of_the_association(project, f"{ORG}_hiding", HIDING)
    db = project.root / "planted.duckdb"
    outcome = dbt_build(project.root, project.profiles_dir, db)
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.sql("""select org_id, check_id, check_family, fiscal_year from marts.reconciliations
                          where status = 'fail'""").fetchall()
    failing: dict[str, dict[str, list]] = {}
    for org_id, check_id, family, year in rows:
        failing.setdefault(org_id, {})[check_id] = [family, year]
    (folder / "verdict.json").write_text(json.dumps({
        "returncode": outcome.returncode, "test_failures": [t.name for t in outcome.test_failures],
        "build_errors": [n.name for n in outcome.build_errors], "failing": failing}))


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> dict:
    return json.loads((built_once(tmp_path_factory, "rule-family-plants", _planted_build) / "verdict.json").read_text())


def test_the_planted_errors_fail_the_build_and_the_real_report_fails_nothing(planted):
    assert planted["returncode"] != 0
    assert "assert_no_failed_reconciliations" in planted["test_failures"]
    assert planted["build_errors"] == []  # the plants show in no other dbt-level verdict
    assert ORG not in planted["failing"]


@pytest.mark.parametrize("family", sorted(PLANTS))
def test_planted_error_fails_its_check(planted, family):
    _, _, _, check_id, year = PLANTS[family]
    failing = planted["failing"].get(f"{ORG}_{family}", {})
    assert check_id in failing, f"{check_id} did not fail; failing: {sorted(failing)}"
    assert failing[check_id] == [family, year]


def test_a_new_inconsistency_cannot_hide_behind_an_erratum_with_other_figures(planted):
    """An erratum is pinned to its two figures: the same check failing with another figure fails."""
    failing = planted["failing"].get(f"{ORG}_hiding", {})
    assert "calc.NOT3.summa_kostnader.amount:lines" in failing          # was 'known' with 12 517 887
    assert "erratum:calc.NOT3.summa_kostnader.amount:lines" in failing  # the erratum itself is reported stale
    assert "calc.NOT3.summa_admin.amount:lines" not in failing
