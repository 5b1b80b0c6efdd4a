"""finsam command line: `finsam run` is the nightly job; `validate`, `check` and `report` help people."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from finsam.run.dbt_steps import close_idle_worker
from finsam.run.nightly import nightly_run
from finsam.run.results import EXIT_ERROR, EXIT_INCONSISTENT, EXIT_OK, RunResult, StageResult
from finsam.project import FinsamError, Project, duckdb_settings
from finsam.run.report_content import describe_test_failure
from finsam.safe_text import console_text
from finsam.inputs import Finding, validate_inputs

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Annual reports of Finsam coordination associations, checked for internal consistency.")
out = Console()
err = Console(stderr=True)
STATUS_STYLE = {"ok": "green", "failed": "red", "skipped": "dim", "pass": "green", "known": "yellow", "fail": "red"}
# At most this many notes or failing checks on the console; all of them are in the report and result.json.
CONSOLE_ROWS = 20


def _project() -> Project:
    try:
        return Project.locate()
    except FinsamError as error:
        err.print(f"[red]finsam:[/] {escape(str(error))}")
        raise typer.Exit(EXIT_ERROR) from None


def _findings(findings: list[Finding], kind: str, style: str, console: Console) -> None:
    """Problems or notes, each with file:line:column; values and paths are escaped, never markup."""
    for finding in findings[:CONSOLE_ROWS]:
        console.print(f"[{style}]{kind}[/] {escape(str(finding))}")
    if len(findings) > CONSOLE_ROWS:
        console.print(f"[{style}]… and {len(findings) - CONSOLE_ROWS} more {kind}s[/] (all in the report's result.json)")


def _check_counts(counts: dict[str, int]) -> None:
    out.print("checks: " + ", ".join(f"[{STATUS_STYLE[k]}]{counts.get(k, 0)} {k}[/]" for k in ("pass", "known", "fail")))


def _failing_checks(failing: list[dict], where_all: str) -> None:
    """The first failing checks, each with its association and message; the rest are counted."""
    for check in failing[:CONSOLE_ROWS]:
        out.print(f"[red]fail[/] {escape(check['org_id'])} {escape(check['check_id'])} {check['fiscal_year']}: "
                  f"{escape(check['message'])}")
    if len(failing) > CONSOLE_ROWS:
        out.print(f"[red]… and {len(failing) - CONSOLE_ROWS} more failing checks[/] (all in {where_all})")


def _summary(result: RunResult) -> None:
    table = Table(title=f"finsam nightly run {result.run_id}", show_lines=False)
    for column in ("stage", "status", "seconds", "detail"):
        table.add_column(column)
    for stage in result.stages:
        table.add_row(stage.name, f"[{STATUS_STYLE[stage.status]}]{stage.status}[/]", f"{stage.seconds:.1f}",
                      escape(stage.detail))
    out.print(table)
    if result.status_counts:
        _check_counts(result.status_counts)
    _failing_checks([c for c in result.checks if c["status"] == "fail"
                     and (result.org_filter is None or c["org_id"] == result.org_filter)], "the report")
    _findings(result.problems, "problem", "red", err)
    _findings(result.readings, "note", "yellow", out)
    for test in result.dbt_failures:
        out.print(f"[red]dbt test fails[/] {escape(describe_test_failure(test))}")
    if result.not_built:
        out.print(f"[yellow]not built[/] (skipped after a failing test): {escape(', '.join(result.not_built))}")
    for suite in result.suites:
        if not suite.success:
            out.print(f"[red]GX suite fails[/] {escape(suite.name)}: " + escape("; ".join(
                f"{e.expectation_type}({e.column or ''}) {e.unexpected_count} unexpected"
                + (f" in {', '.join(e.unexpected_orgs)}" if e.unexpected_orgs else "")
                for e in suite.expectations if not e.success)))


def _verdict_line(result: RunResult) -> str:
    colour = {"pass": "green", "fail": "red", "error": "red"}[result.verdict]
    where = f" Report: {result.report_dir}/index.html" if result.report_dir else ""
    return f"[bold {colour}]{result.verdict.upper()}[/] (exit {result.exit_code}): {escape(result.message + '.' + where)}"


@app.command()
def run(
    wait: Annotated[float, typer.Option(help="Seconds to wait for another nightly run to finish (default: refuse at once).")] = 0.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the verdict line.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run result as JSON on stdout, nothing else.")] = False,
    no_publish: Annotated[bool, typer.Option("--no-publish", help="Build and check, but do not replace the published warehouse.")] = False,
    collection: Annotated[Optional[Path], typer.Option(help="Also load a report collection from this folder: facts, and optionally goals, organisations, unconfirmable_facts, funding_members, label_variants, each as .csv or .parquet.")] = None,
    org: Annotated[Optional[str], typer.Option(help="Show only this association in the report and on the console (every association is still checked; the verdict is over all).")] = None,
    after_publish: Annotated[Optional[str], typer.Option(help="A command to run after the warehouse was published, e.g. to restart a BI server's workers (it gets FINSAM_PUBLISHED and FINSAM_RUN_ID). Its failure is reported; the verdict stays.")] = None,
    keep_build: Annotated[bool, typer.Option("--keep-build", help="Keep the build folder (dbt's compiled SQL and logs) for inspection.")] = False,
) -> None:
    """The nightly run: build a fresh warehouse, run dbt tests and the GX suites, write the report, publish.

    Exit 0: every check passes or fails only as a registered erratum. Exit 1: a new inconsistency or a
    failed test. Exit 2: the run could not complete. The published warehouse changes only on exit 0.
    """
    project = _project()
    show_progress = not (quiet or as_json)

    def on_stage(stage: StageResult) -> None:
        if show_progress:
            out.print(f"[{STATUS_STYLE[stage.status]}]{stage.status:>7}[/] {stage.name:<10} {stage.seconds:6.1f}s  "
                      f"{escape(stage.detail)}")

    result = nightly_run(project, wait_seconds=wait, publish_result=not no_publish, on_stage=on_stage,
                         collection=collection, keep_build=keep_build, only_org=org, after_publish=after_publish)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2, default=str, ensure_ascii=False) + "\n")
    else:
        if show_progress:
            _summary(result)
        (out if result.exit_code == EXIT_OK else err).print(_verdict_line(result))
    raise typer.Exit(result.exit_code)


@app.command()
def validate(
    collection: Annotated[Optional[Path], typer.Option(help="Also validate a report collection folder.")] = None,
) -> None:
    """Check every seed (and a collection folder) without building anything: encoding, delimiter, columns,
    numbers, keys, references, years and printed labels."""
    project = _project()
    result = validate_inputs(project, collection)
    _findings(result.readings, "note", "yellow", out)
    _findings(result.problems, "problem", "red", err)
    if result.problems:
        err.print(f"[red]{len(result.problems)} problem(s)[/]: fix them and run again; nothing was built.")
        raise typer.Exit(EXIT_ERROR)
    out.print(f"[green]all {len(result.normalised)} seed files"
              + (f" and {len(result.collection)} collection files" if collection else "") + " are valid[/]")


@app.command()
def check(
    db: Annotated[Optional[Path], typer.Option(help="Warehouse to check (default: the published one).")] = None,
) -> None:
    """Check a built warehouse, read-only: the verdict of its checks (marts.reconciliations) and the Great
    Expectations suites. Exit 0: every check passes or fails only as a registered erratum, and every suite
    passes; 1 otherwise; 2 when there is no warehouse to check."""
    import duckdb

    from finsam.run.gx_runner import run_suites
    from finsam.run.report_queries import REPORT_QUERIES, STATUS_COUNTS, query_rows

    project = _project()
    path = db or project.published_db
    if not path.is_file():
        err.print(f"[red]finsam:[/] no warehouse at {escape(str(path))}: run `make run` first")
        raise typer.Exit(EXIT_ERROR)
    with duckdb.connect(str(path), read_only=True, config=duckdb_settings()) as con:
        counts = {r["status"]: r["n"] for r in query_rows(con, STATUS_COUNTS)}
        failing = [c for c in query_rows(con, REPORT_QUERIES["checks"]) if c["status"] == "fail"]
    _check_counts(counts)
    _failing_checks(failing, "marts.reconciliations")
    suites = run_suites(path, project.expectations_dir)
    table = Table(title=escape(f"Great Expectations on {path}"))
    for column in ("suite", "rows", "expectations", "result"):
        table.add_column(column)
    for suite in suites:
        table.add_row(escape(suite.name), str(suite.n_rows), str(len(suite.expectations)),
                      "[green]pass[/]" if suite.success else f"[red]fail ({suite.n_failed})[/]")
    out.print(table)
    raise typer.Exit(EXIT_OK if not failing and all(s.success for s in suites) else EXIT_INCONSISTENT)


@app.command()
def generate(
    folder: Annotated[Path, typer.Argument(help="Folder to write the collection into.")],
    orgs: Annotated[int, typer.Option(help="Number of associations.")] = 3,
    years: Annotated[int, typer.Option(help="Annual reports per association (ending with --last-year).")] = 3,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes the same collection.")] = 1,
    last_year: Annotated[int, typer.Option(help="Year of the newest report.")] = 2023,
    plant: Annotated[bool, typer.Option(help="Plant one inconsistency per rule family and write ground_truth.csv.")] = False,
    csv: Annotated[bool, typer.Option("--csv", help="Write CSV instead of Parquet.")] = False,
    render: Annotated[Optional[str], typer.Option(help="Also render every report as published documents, into FOLDER/renderings: any of txt, pdf (ruled), plain.pdf (borderless), docx, html, browser.pdf (Chromium), office.pdf (LibreOffice from Word), plain.layout.txt, browser.layout.txt, office.layout.txt (pdftotext -layout), scan.pdf, scan200.pdf (office.pdf printed and scanned at 300 or 200 dpi), comma-separated.")] = None,
    slips: Annotated[int, typer.Option(help="Plant one typing slip (sign, unit, digits, rounding, another figure) in the newest report of this many associations; listed in slips.csv.")] = 0,
    slip_pairs: Annotated[int, typer.Option(help="Plant two slips in each of this many further associations.")] = 0,
) -> None:
    """Write a synthetic, internally consistent collection of annual reports (for scale tests and benchmarks)."""
    from finsam.synthetic.generate import InvalidOptions
    from finsam.synthetic.generate import generate as write_collection
    from finsam.synthetic.producers import MissingProducer
    from finsam.synthetic.render import KINDS

    kinds = tuple(k.strip() for k in (render or "").split(",") if k.strip())
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        err.print(f"[red]finsam:[/] --render takes {escape(', '.join(KINDS))}, not {escape(', '.join(unknown))}")
        raise typer.Exit(EXIT_ERROR)
    try:
        summary = write_collection(folder, orgs, years, seed=seed, last_year=last_year, plant=plant,
                                   file_format="csv" if csv else "parquet", project=_project(), render=kinds,
                                   slips=slips, slip_pairs=slip_pairs)
    except (MissingProducer, InvalidOptions) as error:
        err.print(f"[red]finsam:[/] {escape(str(error))}")
        raise typer.Exit(EXIT_ERROR) from None
    out.print(escape(f"wrote {folder}: " + ", ".join(f"{v} {k}" for k, v in summary.items())))


@app.command()
def ingest(
    source: Annotated[Path, typer.Argument(help="The published annual report: .txt/.md, .pdf (with a text layer, or scanned: read by OCR) or .docx.")],
    org: Annotated[str, typer.Option("--org", help="The association's org_id: one of the seeds, or a new one ingest learns.")],
    report_year: Annotated[int, typer.Option("--report-year", help="The year the report is for.")],
    out_dir: Annotated[Path, typer.Option("--out", help="The collection folder to write facts.csv, review.csv and what ingest learns of the association into (its own_lines, interventions, funding_members, label_variants and organisations; rows already there are kept and reused).")],
    label_variants: Annotated[Optional[Path], typer.Option(help="Also accept the labels of this CSV (the label_variants layout), e.g. a collection's label_variants.csv.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace facts.csv and review.csv in --out even where they were changed since finsam ingest wrote them.")] = False,
) -> None:
    """Read one annual report into fact rows (facts.csv, the fact layout) and review items (review.csv).

    A row no line knows, in a detail table whose total foots with it, is learnt as the association's own
    line; Note 2's members and the interventions' pairing across tables are learnt too (review.csv lists
    each with its evidence). Exit 0: every statement the report must print was read, every table row and
    every number accounted for. A scanned PDF is read by OCR and proof-read by the checks (review.csv lists
    each figure they say was misread, and each uncertain reading no check confirms; review.html shows each
    with a crop of its page). Exit 1: items need review (a required statement not read, a row whose
    label maps to no line, a doubtful pairing, a number nothing explains, a misread or uncertain figure).
    Exit 2: the file cannot be read, or --out cannot be written (or holds edits made since the last
    ingest, without --force).
    """
    from finsam.ingest import CannotWrite, UnreadableSource, ingest as read_report, write_outputs
    from finsam.ingest.model import NEEDS_A_PERSON
    from finsam.inputs import ID

    if not ID.fullmatch(org):
        err.print(f"[red]finsam:[/] --org {console_text(org, quoted=True)}: an org_id is lower-case letters a-z, "
                  "digits and _, starting with a letter (e.g. sf_vasteras)")
        raise typer.Exit(EXIT_ERROR)
    project = _project()
    try:
        with Progress(TextColumn("reading {task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
                      transient=True) as bar:
            task = bar.add_task(console_text(source.name), total=None)
            result = read_report(project, source, org, report_year, label_variants,
                                 progress=lambda done, of: bar.update(task, completed=done, total=of), known=out_dir)
        write_outputs(result, out_dir, force=force)
    except (UnreadableSource, CannotWrite) as error:
        err.print(f"[red]finsam:[/] {escape(str(error))}")
        raise typer.Exit(EXIT_ERROR) from None
    statements = Table(title=escape(f"{source.name}: statements"))
    for column, justify in (("statement", "left"), ("", "left"), ("read", "left"), ("rows", "right"),
                            ("facts", "right"), ("where", "left")):
        statements.add_column(column, justify=justify)
    for reading in result.statements:
        status = reading.status if reading.required or reading.status == "read" else f"{reading.status} (optional)"
        style = "" if reading.status == "read" else "red" if reading.required else "yellow"
        statements.add_row(*(escape(v) for v in (reading.statement, reading.name, status, str(reading.rows),
                                                 str(reading.facts), reading.place)), style=style)
    out.print(statements)
    accounted = not result.needs_review
    table = Table(title=escape(f"{source.name}: " + ("every required statement read, every number accounted for" if accounted
                                                      else "needs review")))
    for column in ("facts", "candidates", "unmapped rows", "ignored", "unexplained"):
        table.add_column(column, justify="right")
    table.add_row(*(str(v) for v in result.coverage.values()))
    out.print(table)
    for reading in result.unread_required:
        out.print(f"[red]not read[/] {escape(reading.statement)} {escape(reading.name)}: {escape(reading.problem)}")
    for item in [i for i in result.review if i.kind in NEEDS_A_PERSON][:CONSOLE_ROWS]:
        out.print(f"[yellow]{item.kind}[/] {escape(item.source_ref)}: {console_text(item.text, quoted=True)} "
                  f"{escape(item.token or item.value)}: {escape(item.rule)}"
                  + (f" (best: {escape(item.candidates)})" if item.candidates else ""))
    learnt = {name: len(rows) for name, rows in vars(result.learnt).items() if isinstance(rows, list) and rows}
    if learnt:
        out.print(escape("learnt of the association: " + ", ".join(f"{n} {name}" for name, n in learnt.items())
                         + " (review.csv lists each with its evidence)"))
    out.print(escape(f"wrote {out_dir / 'facts.csv'}, {out_dir / 'review.csv'} and {out_dir / 'review.html'}"))
    raise typer.Exit(EXIT_INCONSISTENT if result.needs_review else EXIT_OK)


@app.command()
def report(
    published: Annotated[bool, typer.Option(help="Show the report of the published warehouse rather than the latest run.")] = False,
) -> None:
    """Print where the latest (or published) report is, and its summary."""
    project = _project()
    link = project.reports_dir / ("published" if published else "latest")
    if not link.exists():
        err.print(f"[red]finsam:[/] no report at {escape(str(link))}: run `make run` first")
        raise typer.Exit(EXIT_ERROR)
    folder = link.resolve()
    out.print(escape((folder / "summary.md").read_text(encoding="utf-8")))
    out.print(escape(f"HTML: {folder / 'index.html'}"))


def main() -> None:
    """The `finsam` command. It ends without Python's teardown of its imported modules (slow once Great
    Expectations is loaded): by then every file, connection and lock is closed, the dbt worker with its
    temporary folder too, and the output flushed."""
    try:
        app()
        code = None
    except SystemExit as done:  # with Python's own meaning: None is 0, a message is printed and gives 1
        code = done.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    close_idle_worker()  # os._exit runs no exit handler
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
