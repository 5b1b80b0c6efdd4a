"""Report collections: the same rules check many associations; planted errors are found exactly."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import duckdb
import pytest

from conftest import REPO
from finsam.synthetic.generate import generate
from finsam.synthetic.plants import PLANTS
from finsam.run.nightly import nightly_run


def flagged_checks(project) -> set[tuple[str, str, int]]:
    """Check instances that fail in the last run's report (nothing is published on failure)."""
    result = json.loads((project.reports_dir / "latest" / "result.json").read_text(encoding="utf-8"))
    return {(c["check_id"], c["org_id"], c["fiscal_year"]) for c in result["checks"] if c["status"] == "fail"}


@pytest.mark.slow
def test_planted_errors_are_found_with_full_recall_and_precision(project, tmp_path):
    collection = tmp_path / "collection"
    summary = generate(collection, n_orgs=len(PLANTS), n_years=3, seed=11, plant=True, file_format="csv")
    assert summary["reports"] == len(PLANTS) * 3
    truth = {(r["check_id"], r["org_id"], int(r["fiscal_year"]))
             for r in csv.DictReader((collection / "ground_truth.csv").open(encoding="utf-8"))}
    assert {r[0] for r in csv.reader((collection / "ground_truth.csv").open())} - {"check_family"} == {p[0] for p in PLANTS}
    # through the command a scheduler runs, so that the console is checked too
    finsam = Path(sys.executable).with_name("finsam")
    proc = subprocess.run([str(finsam), "run", "--collection", str(collection)], capture_output=True, text=True,
                          env={**os.environ, "FINSAM_PROJECT": str(project.root), "COLUMNS": "400"})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    flagged = flagged_checks(project)
    missed, false_alarms = truth - flagged, flagged - truth
    assert not missed, f"recall below 100 %: {missed}"
    assert not false_alarms, f"precision below 100 %: {false_alarms}"
    # every output names the association of each failing check
    report = project.reports_dir / "latest"
    console = proc.stdout.splitlines()
    summary = (report / "summary.md").read_text(encoding="utf-8").splitlines()
    page = (report / "index.html").read_text(encoding="utf-8")
    cases = {c.get("name") for c in ET.parse(report / "junit.xml").getroot().iter("testcase") if c.find("failure") is not None}
    for check_id, org_id, year in truth:
        assert any(line.startswith(f"fail {org_id} {check_id} {year}:") for line in console), (org_id, check_id)
        assert any(line.startswith(f"| {org_id} | {check_id} | {year} |") for line in summary), (org_id, check_id)
        assert f"<code>{check_id}</code><br><span class='org'>{org_id}</span>" in page
        assert f"{org_id}: {check_id} {year}" in cases


def test_a_consistent_collection_raises_no_flag(project, tmp_path):
    collection = tmp_path / "collection"
    generate(collection, n_orgs=6, n_years=2, seed=5)
    result = nightly_run(project, collection=collection)
    assert result.exit_code == 0, result.message
    with duckdb.connect(str(project.published_db), read_only=True) as con:
        n_orgs = con.execute("select count(distinct org_id) from marts.reconciliations").fetchall()[0][0]
        uncovered = con.execute("select count(*) from marts.fact_coverage where not is_covered and statement in "
                                "(select statement from seeds.statements where fully_checked)").fetchall()[0][0]
    assert n_orgs == 7 and uncovered == 0


def test_the_generator_is_deterministic(tmp_path):
    def content(folder):
        with duckdb.connect() as con:
            return con.execute(f"select * from read_parquet('{folder}/facts.parquet') order by all").fetchall()

    generate(tmp_path / "a", 2, 2, seed=3)
    generate(tmp_path / "b", 2, 2, seed=3)
    generate(tmp_path / "c", 2, 2, seed=4)
    assert content(tmp_path / "a") == content(tmp_path / "b")
    assert content(tmp_path / "a") != content(tmp_path / "c")


def test_the_benchmarks_own_footing_query_agrees_with_the_calculation_checks(tmp_path):
    """The hand-written query the benchmark times as DuckDB's own speed does the checks' footing work:
    nothing fails on a consistent collection, exactly the planted footing error on a planted one."""
    from bench import duckdb_load_and_foot

    generate(tmp_path / "consistent", 4, 2, seed=3)
    consistent = duckdb_load_and_foot(tmp_path / "consistent")
    assert consistent["totals"] > 1000 and consistent["not_footing"] == 0
    generate(tmp_path / "planted", n_orgs=len(PLANTS), n_years=3, seed=11, plant=True)
    planted_footings = [r for r in csv.DictReader((tmp_path / "planted" / "ground_truth.csv").open(encoding="utf-8"))
                        if r["check_id"].startswith("calc.")]
    assert duckdb_load_and_foot(tmp_path / "planted")["not_footing"] == len(planted_footings) == 1


def test_the_benchmark_measures_a_run_by_its_own_peak_memory_not_the_benchmarks():
    """Linux gives a forked child the high-water mark of its parent: after the benchmark itself held a lot
    of memory, a small run must still be measured small."""
    from bench import run_measured

    held = b"\x01" * (600 * 2**20)  # the benchmark after footing millions of facts in DuckDB
    del held
    code, _, peak_mib, out = run_measured(
        [sys.executable, "-c", "x = b'\\x01' * (200 * 2**20); print(len(x))"], Path.cwd(), dict(os.environ))
    assert (code, out.strip()) == (0, str(200 * 2**20))
    assert 200 <= peak_mib < 400, peak_mib


def test_a_benchmark_recording_keeps_the_sections_it_does_not_measure():
    """BENCHMARKS.md rebuilt from its own measured sections is the file as it is: every section written by
    hand or by another tool (long documents, the missed targets, scans, the test suite) is kept, once."""
    from bench import _section, recorded_text

    recorded = REPO / "BENCHMARKS.md"
    text = recorded.read_text(encoding="utf-8")

    def cut(heading_start: str) -> str:
        heading = next(line for line in text.splitlines() if line.startswith(heading_start))
        start, end = _section(text, heading)
        return text[start:end]

    profile, diagnosis = cut("## Profile at "), cut("## Diagnosis")
    measured = text[:text.index("\n## Ingest of long documents\n")]
    assert recorded_text(recorded, measured, profile, diagnosis) == text
