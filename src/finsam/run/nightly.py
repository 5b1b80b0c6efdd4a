"""The nightly run: validate → dbt build into a fresh file (seeds, models, tests) → GX → report → publish.

Exit codes: 0 every check passes or fails only as a registered erratum; 1 a new inconsistency or a
failed test; 2 the run could not complete (bad input, missing tool, unwritable folder, another run).
"""

from __future__ import annotations

import errno
import os
import shlex
import shutil
import subprocess
import threading
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import duckdb

from finsam.inputs import validate_inputs
from finsam.project import DiskFullError, FinsamError, Project, duckdb_settings
from finsam.run import publish
from finsam.run.fault_points import reached
from finsam.run.dbt_steps import dbt_build, start_dbt_worker
from finsam.run.gx_runner import import_great_expectations, relations_of, run_suites
from finsam.run.report import activate_report, staging_dir, write_report
from finsam.run.report_html import import_charts
from finsam.run.report_queries import (CHART_ORGS, CHART_QUERIES, REPORT_QUERIES, STATUS_COUNTS, offending_rows,
                                      query_rows)
from finsam.run.results import (
    EXIT_ERROR,
    EXIT_INCONSISTENT,
    EXIT_OK,
    STAGES,
    DbtOutcome,
    ProgressCallback,
    RunResult,
    StageResult,
)
from finsam.run.run_info import write_run_info
from finsam.run.workspace import build_slot, create_build_file, prepare_build_project


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + f"-{os.getpid()}"


def nightly_run(project: Project, *, wait_seconds: float = 0.0, publish_result: bool = True,
                on_stage: ProgressCallback | None = None, collection: Path | None = None,
                keep_build: bool = False, only_org: str | None = None, after_publish: str | None = None) -> RunResult:
    result = RunResult(run_id=new_run_id(), started_at=datetime.now(timezone.utc).isoformat(),
                       stages=[StageResult(name) for name in STAGES], org_filter=only_org)
    notify = on_stage or (lambda stage: None)

    def timed(name: str, fn: Callable[[], str]) -> None:
        stage = result.stage(name)
        start = time.perf_counter()
        try:
            stage.detail = fn() or ""
            stage.status = "ok" if stage.status != "failed" else "failed"
        except Exception:
            stage.status = "failed"
            raise
        finally:
            stage.seconds = round(time.perf_counter() - start, 3)
            notify(stage)

    try:
        publish.ensure_writable_dir(project.reports_dir, "reports")
        with publish.RunLock(project.warehouse_dir, wait_seconds):
            start_dbt_worker()  # dbt's import overlaps the validation
            publish.remove_stale_builds(project.warehouse_dir)
            build_dir = publish.new_build_dir(project.warehouse_dir, result.run_id)
            built_db = build_dir / "finsam.duckdb"
            with build_slot() as (build_project, parse_cache):
                try:
                    _build_and_check(project, result, build_project, parse_cache, built_db, timed, collection, keep_build)
                    result.published = result.exit_code == EXIT_OK and publish_result
                    if result.published:
                        result.warehouse = str(project.published_db)
                    else:
                        result.stage("publish").detail = (
                            "not published: the previous good warehouse stays" if result.exit_code != EXIT_OK
                            else "not published (--no-publish)")
                    if result.published:
                        try:
                            timed("publish", lambda: _publish(project, result, built_db, after_publish))
                        except FinsamError as err:
                            result.exit_code, result.verdict, result.message = EXIT_ERROR, "error", str(err)
                    timed("report", lambda: write_report(project, result))
                    reached("report")
                    activate_report(project, result)
                finally:
                    if keep_build:  # for benchmarks and debugging; the next run removes it
                        shutil.move(build_project, build_dir / "project")
                        result.build_dir = str(build_dir)
                    else:
                        shutil.rmtree(build_dir, ignore_errors=True)
                    shutil.rmtree(build_project, ignore_errors=True)
    except FinsamError as err:
        result.exit_code, result.verdict, result.message = EXIT_ERROR, "error", str(err)
    except OSError as err:
        result.exit_code, result.verdict = EXIT_ERROR, "error"
        result.message = str(DiskFullError(project.warehouse_dir)) if err.errno == errno.ENOSPC else (
            f"could not write {err.filename or 'a file'}: {err.strerror}; the published warehouse is unchanged")
    except Exception as err:  # a bug or an unexpected failure of a tool: still exit 2 with a message
        result.exit_code, result.verdict = EXIT_ERROR, "error"
        if "No space left on device" in str(err):  # e.g. DuckDB writing the build file
            result.message = str(DiskFullError(project.warehouse_dir))
        else:
            result.message = f"the run stopped unexpectedly: {err.__class__.__name__}: {err}\n{traceback.format_exc(limit=3)}"
        _report_anyway(project, result)
    result.finished_at = datetime.now(timezone.utc).isoformat()
    return result


def import_in_background() -> threading.Thread:
    """Import what the stages after dbt's build import (Great Expectations, the report's charts) in a thread,
    while dbt builds in a child process and the run only waits for it.

    Not a daemon: a run that stops early waits for the imports rather than exiting half-way through one.
    An import that fails fails again, and is reported, where its stage imports.
    """
    def load() -> None:
        for imports in (import_great_expectations, import_charts):
            try:
                imports()
            except Exception:
                pass

    thread = threading.Thread(target=load, name="import-later-stages")
    thread.start()
    return thread


def _report_anyway(project: Project, result: RunResult) -> None:
    """After a crash, still write the run's report and point reports/latest at it, as far as the disk allows."""
    if result.report_dir and (project.reports_dir / "runs" / result.run_id).exists():
        return  # written and activated before the crash
    try:
        write_report(project, result)
        activate_report(project, result)
    except Exception:  # the report is a courtesy here; the exit code and message already say what happened
        pass


def _build_and_check(project: Project, result: RunResult, project_copy: Path, parse_cache: Path | None,
                     built_db: Path, timed, collection: Path | None, keep_build: bool) -> None:
    validation = None

    def validate() -> str:
        nonlocal validation
        validation = validate_inputs(project, collection)
        result.problems, result.readings = validation.problems, validation.readings
        if validation.problems:
            files = sorted({p.file for p in validation.problems})
            raise FinsamError(f"{len(validation.problems)} problem(s) in {', '.join(files)}; nothing was built")
        if result.org_filter and result.org_filter not in validation.org_ids:
            raise FinsamError(f"--org {result.org_filter!r} is no association of the seeds or the collection; "
                              f"known: {', '.join(sorted(validation.org_ids)[:10])}")
        loaded = sum(validation.collection_rows(name) for name in validation.collection)
        reached("validate")
        return (f"{len(validation.normalised)} seed files valid"
                + (f", collection of {len(validation.collection)} files ({loaded} rows) valid" if collection else "")
                + f", {len(validation.readings)} note(s)")

    try:
        timed("validate", validate)
    except FinsamError as err:
        result.exit_code, result.verdict, result.message = EXIT_ERROR, "error", str(err)
        return
    build_project = prepare_build_project(project, project_copy, validation.normalised)
    create_build_file(built_db, validation)
    reached("build file")
    outcome: DbtOutcome | None = None

    def build() -> str:
        nonlocal outcome
        import_in_background()  # the parent only waits while dbt builds
        # dbt sees the build file under one path in the project folder every run: its parse stays valid
        (build_project / built_db.name).symlink_to(built_db)
        # dbt's log file and its JSON artifacts (manifest.json, run_results.json) are read only in a kept
        # build folder (the worker tells the run what each node did); writing them costs every build time
        artifacts = [] if keep_build else ["--log-level-file", "none", "--no-write-json"]
        # unit tests prove the models' logic on fixed rows, not the data: they run in the test suite and an
        # analyst's `dbt build`, as dbt advises, not in the data check
        outcome = dbt_build(build_project, project.profiles_dir, build_project / built_db.name,
                            [*artifacts, "--exclude-resource-type", "unit_test"], parse_cache=parse_cache)
        result.dbt_tests = outcome.of_type("test")
        if outcome.build_errors:
            failed = "; ".join(f"{n.name}: {n.message}" for n in outcome.build_errors)
            if outcome.disk_full:
                raise DiskFullError(project.warehouse_dir)
            raise FinsamError(f"dbt could not build {failed}")
        if outcome.test_failures:
            result.stage("dbt build").status = "failed"
        skipped = [n for n in outcome.nodes if n.status == "skipped"]
        return (f"seeds {outcome.seconds_of('seed'):.1f}s, models {outcome.seconds_of('model'):.1f}s, "
                f"tests {outcome.seconds_of('test'):.1f}s; "
                f"{len(result.dbt_tests) - len(outcome.test_failures)} of {len(result.dbt_tests)} dbt tests pass"
                + (f"; {len(skipped)} node(s) skipped after a failing test" if skipped else ""))

    try:
        timed("dbt build", build)
    except FinsamError as err:
        result.exit_code, result.verdict, result.message = EXIT_ERROR, "error", str(err)
        return
    result.dbt_seconds = {"total": outcome.seconds, "load": outcome.seconds_of("seed"),
                          "models": outcome.seconds_of("model"), "tests": outcome.seconds_of("test"),
                          "nodes": len(outcome.nodes)}

    with duckdb.connect(str(built_db), read_only=True, config=duckdb_settings()) as con:
        built = {f"{schema}.{name}" for schema, name in con.sql(
            "select table_schema, table_name from information_schema.tables").fetchall()}
        for test in outcome.test_failures:
            test.offending_rows = offending_rows(con, test)
    result.not_built = sorted(n.name for n in outcome.of_type("model") if n.status != "success")

    def gx() -> str:
        docs_dir = staging_dir(project, result.run_id) / "data_docs"
        result.suites = run_suites(built_db, project.expectations_dir, docs_dir, built)
        reached("gx")
        failed = [s for s in result.suites if not s.success]
        if failed:
            result.stage("gx").status = "failed"
        return f"{len(result.suites) - len(failed)} of {len(result.suites)} suites passed"

    timed("gx", gx)

    with duckdb.connect(str(built_db), read_only=True, config=duckdb_settings()) as con:
        publish.check_storage_version(con)

        def rows(sql: str, params: dict | None = None) -> list[dict]:
            """A query of the report, or nothing where a model it reads was not built (skipped after a test)."""
            return query_rows(con, sql, params) if relations_of(sql) <= built else []

        result.checks = rows(REPORT_QUERIES["checks"])
        result.diagnoses = rows(REPORT_QUERIES["diagnoses"])
        result.coverage = rows(REPORT_QUERIES["coverage"])
        result.status_counts = {r["status"]: r["n"] for r in rows(STATUS_COUNTS)}
        chart_orgs = [result.org_filter] if result.org_filter else [r["org_id"] for r in rows(CHART_ORGS)]
        result.charts = {name: rows(sql, {"orgs": chart_orgs}) for name, sql in CHART_QUERIES.items()}
        result.org_names = {r["org_id"]: r["name_sv"] for r in rows("select org_id, name_sv from intermediate.int_organisations")}

    new_failures = [c for c in result.checks if c["status"] == "fail"]
    if result.dbt_failures or any(not s.success for s in result.suites):
        result.exit_code, result.verdict = EXIT_INCONSISTENT, "fail"
        parts = []
        if new_failures:
            parts.append(f"{len(new_failures)} check(s) fail: " + ", ".join(
                f"{c['org_id']} {c['check_id']} {c['fiscal_year']}" for c in new_failures[:5]) + (" …" if len(new_failures) > 5 else ""))
        if result.dbt_failures:
            parts.append(f"{len(result.dbt_failures)} dbt test(s) fail")
        failed_suites = [s.name for s in result.suites if not s.success]
        if failed_suites:
            parts.append(f"GX suites fail: {', '.join(failed_suites)}")
        result.message = "; ".join(parts)
    else:
        result.exit_code, result.verdict = EXIT_OK, "pass"
        known = result.status_counts.get("known", 0)
        result.message = (f"all {sum(result.status_counts.values())} checks pass"
                          + (f" or match one of {known} registered errata" if known else ""))


def _publish(project: Project, result: RunResult, built_db: Path, after_publish: str | None) -> str:
    """marts.run_info into the build, the atomic rename, then the optional command that reloads BI servers."""
    write_run_info(project, result, built_db)
    reached("run info")
    try:
        publish.publish_file(built_db, project.published_db)
    except FinsamError:
        result.published, result.warehouse = False, ""
        raise
    reached("publish")
    detail = f"published {project.published_db}"
    if after_publish:
        env = {**os.environ, "FINSAM_PUBLISHED": str(project.published_db), "FINSAM_RUN_ID": result.run_id}
        try:
            done = subprocess.run(shlex.split(after_publish), env=env, capture_output=True, text=True, timeout=600)
            detail += f"; --after-publish exited {done.returncode}" + (
                f": {(done.stderr or done.stdout).strip()[-300:]}" if done.returncode else "")
        except (OSError, subprocess.TimeoutExpired) as err:
            detail += f"; --after-publish could not run: {err}"
    return detail
