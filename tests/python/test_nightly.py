"""The nightly command end to end: verdict, exit codes, report, and the published warehouse."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from xml.etree import ElementTree as ET

import duckdb
import pytest
import yaml

from conftest import REPO, copy_project, edit_csv_rows, sha256
from finsam.run.dbt_steps import dbt_build
from finsam.run.nightly import nightly_run
from finsam.run.workspace import BUILD_SLOTS, build_slot, prepare_build_project
from finsam.run.publish import RunLock


def test_real_report_passes_publishes_and_reports_the_known_errata(pristine):
    published = pristine.published_db
    assert published.is_file()
    with duckdb.connect(str(published), read_only=True) as con:
        statuses = dict(con.sql("select status, count(*) from marts.reconciliations group by all").fetchall())
    assert statuses.get("fail", 0) == 0
    assert statuses["known"] == 19 and statuses["pass"] > 200

    report = (pristine.reports_dir / "published").resolve()
    assert report == (pristine.reports_dir / "latest").resolve()
    page = (report / "index.html").read_text(encoding="utf-8")
    assert "PASS" in page and "Known errata of the published report (19)" in page
    # both figures of an erratum, with the Swedish thousands spacing of the report
    assert "12\u202f499\u202f887" in page and "12\u202f517\u202f887" in page
    for chart in ("Budget vs actual per intervention", "Equity at year end", "Administration cost share"):
        assert chart in page
    assert "Plotly.newPlot" in page and not re.search(r"<script[^>]+src=", page)  # plotly.js inline: works offline
    assert (report / "data_docs" / "index.html").is_file()

    result = json.loads((report / "result.json").read_text(encoding="utf-8"))
    assert result["verdict"] == "pass" and result["exit_code"] == 0 and result["published"]
    junit = ET.parse(report / "junit.xml").getroot()
    assert junit.tag == "testsuites"
    assert sum(int(s.get("failures")) for s in junit) == 0
    assert "calc.NOT3.summa_kostnader.amount:lines" in (report / "summary.md").read_text(encoding="utf-8")


def test_unit_tests_run_in_the_test_suite_and_not_in_the_nightly_run(pristine, view_warehouse):
    declared = {case["name"] for case in yaml.safe_load((REPO / "models" / "_unit_tests.yml").read_text(encoding="utf-8"))["unit_tests"]}
    assert len(declared) >= 5
    assert view_warehouse.unit_tests == dict.fromkeys(declared, "pass")
    nightly = json.loads((pristine.reports_dir / "published" / "result.json").read_text(encoding="utf-8"))
    assert {t["resource_type"] for t in nightly["dbt_tests"]} == {"test"}


def test_build_slots_are_taken_in_turn_and_a_spare_folder_keeps_no_parse(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with ExitStack() as held:
        slots = [held.enter_context(build_slot()) for _ in range(BUILD_SLOTS)]
        assert len({folder for folder, _ in slots}) == BUILD_SLOTS
        assert all(folder.parent == tmp_path / f"finsam-{os.getuid()}" and parse is not None for folder, parse in slots)
        with build_slot() as (spare, parse):  # every slot taken
            assert parse is None and spare.parent == tmp_path and spare.is_dir()
    with build_slot() as (folder, parse):  # free again
        assert folder == slots[0][0] and parse == slots[0][1]
    (tmp_path / f"finsam-{os.getuid()}").chmod(0o755)  # not private: no slot
    with build_slot() as (folder, parse):
        assert parse is None and folder.parent == tmp_path


def test_a_kept_parse_never_stands_for_a_file_another_project_changed(tmp_path, monkeypatch):
    """A slot keeps the parse of whichever project built there last. A unit test that one project edited
    is read again from the next project's own file, even when that file has the time the slot saw before."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # build slots of this test's own
    original, edited = copy_project(tmp_path / "original"), copy_project(tmp_path / "edited")  # the repository's times
    unit_tests = edited.root / "models" / "_unit_tests.yml"
    unit_tests.write_text(unit_tests.read_text(encoding="utf-8").replace(
        "value_normalised: -7500", "value_normalised: -7400", 1), encoding="utf-8")

    def parsed_amount(project) -> int:
        """The amount of the unit test's edited fixture row, in the parse of a build (one seed) in the first
        free slot."""
        with build_slot() as (folder, parse_cache):
            prepare_build_project(project, folder, {})
            outcome = dbt_build(folder, project.profiles_dir, folder / "slot.duckdb",
                                ["--select", "units", "--indirect-selection", "empty"], parse_cache)
            assert outcome.returncode == 0, outcome.log_tail
            parsed = json.loads((folder / "target" / "manifest.json").read_text(encoding="utf-8"))["unit_tests"]
        (footing,) = [test for name, test in parsed.items()
                      if name.endswith(".footing_rounds_terms_to_the_coarsest_printed_unit")]
        terms = next(given for given in footing["given"] if given["input"] == "ref('int_calculation_terms')")
        return terms["rows"][1]["value_normalised"]

    assert [parsed_amount(original), parsed_amount(edited), parsed_amount(original)] == [-7500, -7400, -7500]


@pytest.mark.slow
def test_changed_amount_exits_1_names_the_check_and_keeps_the_published_warehouse(published, pristine, tmp_path,
                                                                                    monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # build slots of this test's own
    # dbt writes its manifest and run results only into a build that is kept (the run reads what each node
    # did from the dbt worker): the JSON files each build's target folder holds when dbt is done
    artifacts = []

    def build_and_look(project_dir, *args, **kwargs):
        outcome = dbt_build(project_dir, *args, **kwargs)
        artifacts.append(sorted(p.name for p in (project_dir / "target").glob("*.json")))
        return outcome

    monkeypatch.setattr("finsam.run.nightly.dbt_build", build_and_look)
    # another warehouse's run: the first build in the slot, where dbt parses all and keeps its parse
    assert nightly_run(copy_project(tmp_path / "another")).exit_code == 0
    shutil.copytree(pristine.reports_dir, published.reports_dir, symlinks=True)  # the last good run's report
    before = sha256(published.published_db)
    seed = published.seeds_dir / "facts" / "facts_annual_report.csv"
    assert edit_csv_rows(seed, {"statement": "NOT4", "line_id": "momsfordran", "fiscal_year": "2023"},
                         {"value": "254666"}) == 1
    result = nightly_run(published, keep_build=True)
    # this warehouse's first run re-parsed only the changed seed, and its check sees the new amount
    log = (Path(result.build_dir) / "project" / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert "Partial parsing enabled: 0 files deleted, 0 files added, 1 files changed" in log
    written = [{"manifest.json", "run_results.json"} & set(names) for names in artifacts]
    assert written == [set(), {"manifest.json", "run_results.json"}], artifacts
    assert result.exit_code == 1 and result.verdict == "fail"
    failing = {c["check_id"] for c in result.checks if c["status"] == "fail"}
    assert "calc.NOT4.summa.amount:lines" in failing
    assert "calc.NOT4.summa.amount:lines" in result.message
    assert not result.published and sha256(published.published_db) == before
    page = (published.reports_dir / "latest" / "index.html").read_text(encoding="utf-8")
    assert "FAIL" in page and "calc.NOT4.summa.amount:lines" in page
    # the published report is still the last good run's
    assert json.loads((published.reports_dir / "published" / "result.json").read_text(encoding="utf-8"))["verdict"] == "pass"


@pytest.mark.slow
def test_every_connection_of_the_run_keeps_to_its_memory_limit(published, monkeypatch):
    """FINSAM_MEMORY_LIMIT bounds DuckDB in every query of the run as in dbt's build: the validator's own
    tables (a whole collection, at scale), the GX suites, the report and run_info. At scale they hold
    millions of facts and checks, and DuckDB's default is most of the machine."""
    monkeypatch.setenv("FINSAM_MEMORY_LIMIT", "300MB")
    limits = []
    connect = duckdb.connect

    def connect_and_note(database=":memory:", *args, **kwargs):
        con = connect(database, *args, **kwargs)
        limits.append((Path(database).name, con.execute("select current_setting('memory_limit')").fetchall()[0][0]))
        return con

    monkeypatch.setattr(duckdb, "connect", connect_and_note)
    assert nightly_run(published).exit_code == 0
    assert ":memory:" in {name for name, _ in limits}, limits  # the validator
    assert len(limits) >= 5 and {limit for _, limit in limits} == {"286.1 MiB"}, limits  # 300 MB in binary units


def test_malformed_seed_exits_2_names_the_file_and_keeps_the_published_warehouse(published):
    before = sha256(published.published_db)
    seed = published.seeds_dir / "facts" / "facts_annual_report.csv"
    seed.write_text(seed.read_text(encoding="utf-8").replace("11006000", "11 006 000,5", 1), encoding="utf-8")
    result = nightly_run(published)
    assert result.exit_code == 2 and result.verdict == "error"
    assert "seeds/facts/facts_annual_report.csv" in result.message
    assert result.problems and result.problems[0].file == "seeds/facts/facts_annual_report.csv"
    assert sha256(published.published_db) == before
    assert "Input problems" in (published.reports_dir / "latest" / "index.html").read_text(encoding="utf-8")


def test_a_second_run_is_refused_while_one_holds_the_lock(published):
    before = sha256(published.published_db)
    with RunLock(published.warehouse_dir):
        result = nightly_run(published)
    assert result.exit_code == 2
    assert "another nightly run holds" in result.message and "--wait" in result.message
    assert sha256(published.published_db) == before


@pytest.mark.slow
def test_cli_json_and_quiet_modes(published, tmp_path):
    finsam = [sys.executable, "-m", "finsam.cli"]
    seed = published.seeds_dir / "facts" / "facts_annual_report.csv"
    edit_csv_rows(seed, {"statement": "RR", "line_id": "finansiella_intakter", "fiscal_year": "2023"}, {"value": "5"})
    proc = subprocess.run([*finsam, "run", "--json"], cwd=published.root, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["verdict"] == "fail"
    assert any(c["check_id"] == "calc.RR.resultat_efter_finansiella_poster.amount:lines" and c["status"] == "fail"
               for c in doc["checks"])
    # a temporary folder of its own: the command leaves no dbt worker's folder behind in it
    (tmp_path / "tmp").mkdir()
    proc = subprocess.run([*finsam, "run", "--quiet"], cwd=published.root, capture_output=True, text=True,
                          env={**os.environ, "TMPDIR": str(tmp_path / "tmp")})
    assert proc.returncode == 1
    assert proc.stdout == "" and "FAIL (exit 1)" in proc.stderr
    assert list((tmp_path / "tmp").glob("finsam-dbt-worker-*")) == []
