"""A failing dbt test on reference data is reported as the seed file and its offending rows, the models it
stopped are not queried, a report is always written and reports/latest points at it; data and paths
never become console markup."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import edit_csv_rows
from finsam.run.nightly import nightly_run

REFERENCE = "seeds/reference"
BROKEN = {
    # a calculation-tree row naming a line that does not exist
    "calculation_tree": ("RR,verksamhetens_resultat,*,no_such_line,*,1\n", "no_such_line"),
    # an intervention of a category that does not exist
    "interventions": ("sf_vasteras,nytt_team,New team,individuel,\n", "individuel"),
}


@pytest.mark.parametrize("seed", sorted(BROKEN))
def test_a_broken_reference_seed_names_the_file_and_rows_and_still_reports(published, seed):
    row, offending = BROKEN[seed]
    path = published.root / REFERENCE / f"{seed}.csv"
    path.write_text(path.read_text(encoding="utf-8") + row, encoding="utf-8")
    result = nightly_run(published)
    assert result.exit_code == 1, result.message
    assert "stopped unexpectedly" not in result.message
    (failure,) = [t for t in result.dbt_failures if t.tested_file == f"{REFERENCE}/{seed}.csv"]
    assert any(offending in str(r.values()) for r in failure.offending_rows), failure.offending_rows
    latest = (published.reports_dir / "latest").resolve()
    assert latest.name == result.run_id
    page = (latest / "index.html").read_text(encoding="utf-8")
    assert f"{REFERENCE}/{seed}.csv" in page and offending in page
    assert "d9e0f8f9d1" not in page


def test_skipped_models_are_not_queried(published):
    """A failing test of a seed stops every model built on it; the run reports instead of crashing."""
    path = published.root / REFERENCE / "calculation_tree.csv"
    path.write_text(path.read_text(encoding="utf-8") + BROKEN["calculation_tree"][0], encoding="utf-8")
    result = nightly_run(published)
    assert result.exit_code == 1 and "stopped unexpectedly" not in result.message, result.message
    assert "int_calculation_checks" in result.not_built or "reconciliations" in result.not_built
    assert any(not s.success and s.expectations[0].expectation_type == "not run" for s in result.suites)
    assert (published.reports_dir / "latest").resolve().name == result.run_id


@pytest.mark.slow
def test_values_and_paths_are_never_console_markup(project, tmp_path):
    facts = project.seeds_dir / "facts" / "facts_annual_report.csv"
    assert edit_csv_rows(facts, {"statement": "NARR", "line_id": "andel_administration"},
                         {"label_printed": "ca [/] 12 [amount] % [bold red]", "value": "13"}) == 1
    folder = tmp_path / "c_[red]x[/]"  # itself a path: c_[red]x[ / ]
    folder.mkdir(parents=True)
    (folder / "facts.csv").write_text(facts.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    (folder / "notes [b].txt").write_text("stray", encoding="utf-8")
    proc = subprocess.run([str(Path(sys.executable).with_name("finsam")), "run", "--collection", str(folder)],
                          capture_output=True, text=True,
                          env={**os.environ, "FINSAM_PROJECT": str(project.root), "COLUMNS": "500"})
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "MarkupError" not in output and "FAIL (exit 1)" in output
    assert "ca [/] 12 [amount] % [bold red]" in output
    assert str(folder / "notes [b].txt") in output
