"""The nightly run: validate → dbt build into a fresh file (seeds, models, tests) → GX → report → publish.

Exit codes: 0 every check passes or fails only as a registered erratum; 1 a new inconsistency or a
failed test; 2 the run could not complete (bad input, missing tool, unwritable folder, another run).
"""

from __future__ import annotations

import errno
import fcntl
import os
import shlex
import shutil
import stat
import subprocess
import tempfile
import time
import traceback
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterator

import duckdb

from finsam import publish
from finsam.dbt_steps import DbtOutcome, NodeOutcome, dbt_build, start_dbt_worker
from finsam.gx_runner import SuiteOutcome, import_in_background, relations_of, run_suites
from finsam.project import DiskFullError, FinsamError, Project, duckdb_settings
from finsam.report import activate_report, staging_dir, write_report
from finsam.validate import Finding, ValidationResult, validate_inputs

EXIT_OK, EXIT_INCONSISTENT, EXIT_ERROR = 0, 1, 2
STAGES = ("validate", "dbt build", "gx", "report", "publish")


@dataclass
class StageResult:
    name: str
    status: str = "skipped"  # ok | failed | skipped
    seconds: float = 0.0
    detail: str = ""


@dataclass
class RunResult:
    run_id: str
    started_at: str
    finished_at: str = ""
    exit_code: int = EXIT_ERROR
    verdict: str = "error"  # pass | fail | error
    message: str = ""
    published: bool = False
    warehouse: str = ""
    report_dir: str = ""
    build_dir: str = ""
    stages: list[StageResult] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    readings: list[Finding] = field(default_factory=list)
    dbt_tests: list[NodeOutcome] = field(default_factory=list)
    dbt_seconds: dict[str, float] = field(default_factory=dict)  # dbt's own time per resource type
    suites: list[SuiteOutcome] = field(default_factory=list)
    status_counts: dict[str, int] = field(default_factory=dict)
    checks: list[dict] = field(default_factory=list)  # every non-pass reconciliation row
    diagnoses: list[dict] = field(default_factory=list)  # marts.diagnoses: the figures that explain them
    coverage: list[dict] = field(default_factory=list)
    charts: dict[str, list[dict]] = field(default_factory=dict)
    org_filter: str | None = None  # the report shows this association only (what is checked is unchanged)
    not_built: list[str] = field(default_factory=list)  # models skipped after a failing test
    org_names: dict[str, str] = field(default_factory=dict)

    def stage(self, name: str) -> StageResult:
        return next(s for s in self.stages if s.name == name)

    @property
    def dbt_failures(self) -> list[NodeOutcome]:
        return [t for t in self.dbt_tests if t.status in ("fail", "error")]

    def to_dict(self) -> dict:
        return asdict(self)


ProgressCallback = Callable[[StageResult], None]

# What the report shows, read from the built warehouse before it is published.
REPORT_QUERIES = {
    "checks": """select check_id, check_family, org_id, fiscal_year, lhs_label, lhs_value, rhs_label, rhs_value,
                        difference, tolerance, unit, status, severity, source_ref, rule, erratum_reason, message,
                        cause_id
                 from marts.reconciliations where status <> 'pass'
                 order by status = 'fail' desc, severity = 'major' desc, check_family, check_id, fiscal_year""",
    "diagnoses": """select cause_id, cause_rank, tied, org_id, report_year, fiscal_year, statement, line_id, measure,
                           label_printed, printed_value, implied_value, unit, kind, check_ids, n_checks, n_figures,
                           weight, erratum_blames, agrees_with_erratum, sentence, source_ref
                    from marts.diagnoses
                    order by org_id, cast(split_part(cause_id, '#', 2) as integer), cause_rank, statement, line_id,
                             fiscal_year""",
    "coverage": """select statement, count(distinct org_id) as n_orgs, sum(n_facts) as n_facts, sum(n_covered) as n_covered,
                          round(sum(n_covered) / sum(n_facts), 4) as coverage_share, sum(n_unconfirmable) as n_unconfirmable
                   from marts.check_coverage group by statement order by statement""",
}
# Charts show the associations of the seeds (or the one asked for with --org), not every association of a
# loaded collection; one series or section per association.
CHART_ORGS = "select org_id from seeds.organisations order by org_id"
CHART_QUERIES = {
    "intervention_deviation": """select org_id, fiscal_year, intervention_id, name_en, category, budget_cost_tkr,
                                        actual_cost_tkr, deviation_tkr, favourable
                                 from marts.intervention_deviation where budget_cost_tkr is not null and org_id in (select unnest($orgs))
                                 order by org_id, fiscal_year, deviation_tkr""",
    "equity_rollforward": """select org_id, fiscal_year, opening_equity_kr, result_kr, closing_equity_kr,
                                    closing_equity_precision_kr, closing_equity_source, rollforward_status
                             from marts.equity_rollforward where org_id in (select unnest($orgs)) order by org_id, fiscal_year""",
    "admin_share": """select org_id, fiscal_year, share_of_contributions_operating_report_pct,
                             share_of_costs_operating_report_pct, share_of_contributions_note3_pct,
                             share_of_costs_note3_pct, claimed_share_pct
                      from marts.admin_share where org_id in (select unnest($orgs)) order by org_id, fiscal_year""",
}


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + f"-{os.getpid()}"


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[dict]:
    rel = con.sql(sql, params=params)
    columns = rel.columns
    return [{c: _plain(v) for c, v in zip(columns, row)} for row in rel.fetchall()]


def _offending_rows(con: duckdb.DuckDBPyConnection, test: NodeOutcome, limit: int = 5) -> list[dict]:
    """The rows a failing dbt test found: its compiled query selects them."""
    if not test.compiled_code:
        return []
    try:
        return _rows(con, f"select * from ({test.compiled_code.strip().rstrip(';')}) as offending limit {limit}")
    except duckdb.Error as err:
        return [{"could not read the offending rows": str(err).splitlines()[0]}]


def prepare_build_project(project: Project, target: Path, normalised: dict[Path, str]) -> Path:
    """A private copy of the dbt project with the validated (normalised) seeds, in `target`: a temporary
    folder with a plain name, because dbt-duckdb writes each seed file's path into SQL text.

    The copies are new files, not copies of the originals' times: dbt takes a schema file whose time equals
    the one in a kept parse as unchanged without reading it, and may keep the time of a file an earlier
    build changed (dbt-core 1.11), so a parse kept from another project's build could pass off that build's
    edited unit test or rule as this project's."""
    for rel in project.project_files():
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project.root / rel, dest)
    for rel, text in normalised.items():
        (target / "seeds" / rel).write_text(text, encoding="utf-8")
    return target


BUILD_SLOTS = 4


def _take_build_slot() -> tuple[int, Path, Path] | None:
    """(lock, folder, parse cache) of a free build slot of this user, or None when all are taken or the
    slots' folder is not this user's own and private."""
    slots = Path(tempfile.gettempdir()) / f"finsam-{os.getuid()}"
    try:
        slots.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(slots)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            return None
        for slot in range(BUILD_SLOTS):
            lock = os.open(slots / f"build-{slot}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(lock)
                continue
            folder = slots / f"build-{slot}"
            shutil.rmtree(folder, ignore_errors=True)
            try:
                folder.mkdir(mode=0o700)
            except OSError:
                os.close(lock)
                return None
            return lock, folder, slots / f"build-{slot}.parse"
    except OSError:
        pass
    return None


@contextmanager
def build_slot() -> Iterator[tuple[Path, Path | None]]:
    """(an empty folder for the build copy of the dbt project, the folder that keeps dbt's parse of it).

    dbt's parse names the project's files by absolute path, so a build can reuse only a parse made in the
    same folder. A few plain-named folders of this user (`$TMPDIR/finsam-<uid>/build-<n>`) are taken in turn
    under a lock that the OS releases if the run dies: a build re-parses only the files that differ from the
    last build in its folder, whichever warehouse that was. When every slot is taken, or the slots' folder is
    not this user's own and private, a fresh temporary folder that keeps no parse.
    """
    taken = _take_build_slot()
    if taken is None:
        yield Path(tempfile.mkdtemp(prefix="finsam-project-")), None
        return
    lock, folder, parse_cache = taken
    try:
        yield folder, parse_cache
    finally:
        os.close(lock)


def create_build_file(built_db: Path, validation: ValidationResult) -> None:
    """The build file, in the published storage format, with the validated collection in schema `collection`
    (copied by DuckDB from the validator: no path or value is ever part of SQL text but the quoted file name)."""
    duckdb.connect(str(built_db), config={**duckdb_settings(),
                                          "storage_compatibility_version": publish.PUBLISHED_STORAGE_VERSION}).close()
    validation.load_collection(built_db)
    validation.close()  # the validated rows are in the build file: their memory is dbt's and the checks' now


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
    outcome: DbtOutcome | None = None

    def build() -> str:
        nonlocal outcome
        import_in_background()  # the parent only waits while dbt builds
        # dbt sees the build file under one path in the project folder every run: its parse stays valid
        (build_project / built_db.name).symlink_to(built_db)
        # dbt's log file is read only in a kept build folder; writing it costs 0.26 s of a real report's build
        file_log = [] if keep_build else ["--log-level-file", "none"]
        outcome = dbt_build(build_project, project.profiles_dir, build_project / built_db.name, file_log,
                            parse_cache=parse_cache)
        result.dbt_tests = outcome.of_type("test", "unit_test")
        if outcome.build_errors:
            failed = "; ".join(f"{n.name}: {n.message}" for n in outcome.build_errors)
            if outcome.disk_full:
                raise DiskFullError(project.warehouse_dir)
            raise FinsamError(f"dbt could not build {failed}")
        if outcome.test_failures:
            result.stage("dbt build").status = "failed"
        skipped = [n for n in outcome.nodes if n.status == "skipped"]
        return (f"seeds {outcome.seconds_of('seed'):.1f}s, models {outcome.seconds_of('model'):.1f}s, "
                f"tests {outcome.seconds_of('test', 'unit_test'):.1f}s; "
                f"{len(result.dbt_tests) - len(outcome.test_failures)} of {len(result.dbt_tests)} dbt tests pass"
                + (f"; {len(skipped)} node(s) skipped after a failing test" if skipped else ""))

    try:
        timed("dbt build", build)
    except FinsamError as err:
        result.exit_code, result.verdict, result.message = EXIT_ERROR, "error", str(err)
        return
    result.dbt_seconds = {"total": outcome.seconds, "load": outcome.seconds_of("seed"),
                          "models": outcome.seconds_of("model"), "tests": outcome.seconds_of("test", "unit_test"),
                          "nodes": len(outcome.nodes)}

    with duckdb.connect(str(built_db), read_only=True, config=duckdb_settings()) as con:
        built = {f"{schema}.{name}" for schema, name in con.sql(
            "select table_schema, table_name from information_schema.tables").fetchall()}
        for test in outcome.test_failures:
            test.offending_rows = _offending_rows(con, test)
    result.not_built = sorted(n.name for n in outcome.of_type("model") if n.status != "success")

    def gx() -> str:
        docs_dir = staging_dir(project, result.run_id) / "data_docs"
        result.suites = run_suites(built_db, project.expectations_dir, docs_dir, built)
        failed = [s for s in result.suites if not s.success]
        if failed:
            result.stage("gx").status = "failed"
        return f"{len(result.suites) - len(failed)} of {len(result.suites)} suites passed"

    timed("gx", gx)

    with duckdb.connect(str(built_db), read_only=True, config=duckdb_settings()) as con:
        publish.check_storage_version(con)

        def rows(sql: str, params: dict | None = None) -> list[dict]:
            """A query of the report, or nothing where a model it reads was not built (skipped after a test)."""
            return _rows(con, sql, params) if relations_of(sql) <= built else []

        result.checks = rows(REPORT_QUERIES["checks"])
        result.diagnoses = rows(REPORT_QUERIES["diagnoses"])
        result.coverage = rows(REPORT_QUERIES["coverage"])
        result.status_counts = {r["status"]: r["n"] for r in rows(
            "select status, count(*) as n from marts.reconciliations group by status")}
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
    try:
        publish.publish_file(built_db, project.published_db)
    except FinsamError:
        result.published, result.warehouse = False, ""
        raise
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


def source_commit(root: Path) -> str | None:
    """The git commit of the project, where it is a git checkout."""
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


# the column comments BI tools show (constants of the code: no value of a run is SQL text)
RUN_INFO_COLUMNS = {
    "run_id": "Körning — the id of the run: its start time and process.",
    "started_at": "Start — when the run began.",
    "published_at": "Publicerad — when this warehouse was published.",
    "verdict": "Utfall — pass: a warehouse is published only by a run whose checks all pass or match a registered erratum.",
    "checks": "Kontroller — how many checks the run made.",
    "checks_passed": "Godkända — the checks that pass.",
    "checks_known_errata": "Kända fel — the checks that fail exactly as a registered erratum says.",
    "checks_failed": "Underkända — the checks that fail.",
    "associations": "Förbund — how many associations the warehouse holds.",
    "source_commit": "Version — the git commit of the project that built the warehouse, where known.",
    "storage_version": "Lagringsformat — the DuckDB storage version of the file: every DuckDB from this version on opens it.",
}


def write_run_info(project: Project, result: RunResult, built_db: Path) -> None:
    """marts.run_info: one row saying which run built the warehouse a BI tool is reading, and when."""
    counts = result.status_counts
    values = {"run_id": result.run_id, "started_at": result.started_at,
              "published_at": datetime.now(timezone.utc).isoformat(), "verdict": result.verdict,
              "checks": sum(counts.values()), "passed": counts.get("pass", 0), "known": counts.get("known", 0),
              "failed": counts.get("fail", 0), "associations": len(result.org_names),
              "source_commit": source_commit(project.root), "storage_version": publish.PUBLISHED_STORAGE_VERSION}
    with duckdb.connect(str(built_db), config=duckdb_settings()) as con:
        con.execute("""
            create or replace table marts.run_info as
            select $run_id as run_id, cast($started_at as timestamptz) as started_at,
                   cast($published_at as timestamptz) as published_at, $verdict as verdict,
                   cast($checks as integer) as checks, cast($passed as integer) as checks_passed,
                   cast($known as integer) as checks_known_errata, cast($failed as integer) as checks_failed,
                   cast($associations as integer) as associations, cast($source_commit as varchar) as source_commit,
                   $storage_version as storage_version""", values)
        con.execute("comment on table marts.run_info is 'Körning — the nightly run that built and published this "
                    "warehouse: run id, when it was published, its verdict and check counts, the source commit. "
                    "Show published_at on a dashboard to tell how fresh it is.'")
        con.execute("\n".join(f"comment on column marts.run_info.{column} is '{text}';"
                               for column, text in RUN_INFO_COLUMNS.items()))
