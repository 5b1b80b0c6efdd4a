"""Each rule family catches a planted error in a real `dbt build`; the real report passes (see the
`pristine` fixture). A plant changes one seed as a person might mistype it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from conftest import edit_csv_rows
from finsam.run.dbt_steps import dbt_build

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


def failing_checks(db: Path) -> dict[str, tuple[str, int]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.sql("select check_id, check_family, fiscal_year from marts.reconciliations where status = 'fail'").fetchall()
    return {check_id: (family, year) for check_id, family, year in rows}


@pytest.mark.parametrize("family", sorted(PLANTS))
def test_planted_error_fails_the_build(project, family):
    seed, match, change, check_id, year = PLANTS[family]
    assert edit_csv_rows(project.root / seed, match, change) == 1
    db = project.root / "planted.duckdb"
    outcome = dbt_build(project.root, project.profiles_dir, db)
    assert outcome.returncode != 0
    assert "assert_no_failed_reconciliations" in {t.name for t in outcome.test_failures}
    failing = failing_checks(db)
    assert check_id in failing, f"{check_id} did not fail; failing: {sorted(failing)}"
    assert failing[check_id] == (family, year)
    # the plant also shows in the other dbt-level verdicts only where it should
    assert not outcome.build_errors


def test_a_new_inconsistency_cannot_hide_behind_an_erratum_with_other_figures(project):
    """An erratum is pinned to its two figures: the same check failing with another figure fails."""
    # a line and its subtotal both +1 kr: the admin subtotal still foots, the known total check changes figures
    edit_csv_rows(project.root / FACTS, {"statement": "NOT3", "line_id": "lon_forbundschef", "fiscal_year": "2023"},
                  {"value": "795609"})
    edit_csv_rows(project.root / FACTS, {"statement": "NOT3", "line_id": "summa_admin", "fiscal_year": "2023"},
                  {"value": "1753771"})
    db = project.root / "planted.duckdb"
    dbt_build(project.root, project.profiles_dir, db)
    failing = failing_checks(db)
    assert "calc.NOT3.summa_kostnader.amount:lines" in failing          # was 'known' with 12 517 887
    assert "erratum:calc.NOT3.summa_kostnader.amount:lines" in failing  # the erratum itself is reported stale
    assert "calc.NOT3.summa_admin.amount:lines" not in failing
