"""finsam command line: `finsam run` is the nightly job; `validate`, `check` and `report` help people."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from finsam.pipeline import EXIT_ERROR, EXIT_INCONSISTENT, EXIT_OK, RunResult, StageResult, nightly_run
from finsam.project import FinsamError, Project
from finsam.validate import validate_seeds

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Annual reports of Finsam coordination associations, checked for internal consistency.")
out = Console()
err = Console(stderr=True)
STATUS_STYLE = {"ok": "green", "failed": "red", "skipped": "dim", "pass": "green", "known": "yellow", "fail": "red"}


def _project() -> Project:
    try:
        return Project.locate()
    except FinsamError as error:
        err.print(f"[red]finsam:[/] {error}")
        raise typer.Exit(EXIT_ERROR) from None


def _summary(result: RunResult) -> None:
    table = Table(title=f"finsam nightly run {result.run_id}", show_lines=False)
    for column in ("stage", "status", "seconds", "detail"):
        table.add_column(column)
    for stage in result.stages:
        table.add_row(stage.name, f"[{STATUS_STYLE[stage.status]}]{stage.status}[/]", f"{stage.seconds:.1f}", stage.detail)
    out.print(table)
    if result.status_counts:
        out.print("checks: " + ", ".join(f"[{STATUS_STYLE[k]}]{result.status_counts.get(k, 0)} {k}[/]"
                                         for k in ("pass", "known", "fail")))
    for check in [c for c in result.checks if c["status"] == "fail"][:20]:
        out.print(f"[red]fail[/] {check['check_id']} {check['fiscal_year']}: {check['message']}")
    for problem in result.problems:
        err.print(f"[red]problem[/] {problem}")
    for test in result.dbt_failures:
        out.print(f"[red]dbt test fails[/] {test.name}: {test.message}")
    for suite in result.suites:
        if not suite.success:
            out.print(f"[red]GX suite fails[/] {suite.name}: " + "; ".join(
                f"{e.expectation_type}({e.column or ''}) {e.unexpected_count} unexpected"
                for e in suite.expectations if not e.success))


def _verdict_line(result: RunResult) -> str:
    colour = {"pass": "green", "fail": "red", "error": "red"}[result.verdict]
    where = f" Report: {result.report_dir}/index.html" if result.report_dir else ""
    return f"[bold {colour}]{result.verdict.upper()}[/] (exit {result.exit_code}): {result.message}.{where}"


@app.command()
def run(
    wait: Annotated[float, typer.Option(help="Seconds to wait for another nightly run to finish (default: refuse at once).")] = 0.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the verdict line.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run result as JSON on stdout, nothing else.")] = False,
    no_publish: Annotated[bool, typer.Option("--no-publish", help="Build and check, but do not replace the published warehouse.")] = False,
    collection: Annotated[Optional[Path], typer.Option(help="Also load a report collection from this folder (facts, goals, organisations, unconfirmable_facts as Parquet).")] = None,
    csv: Annotated[bool, typer.Option("--csv", help="The collection's files are CSV, not Parquet.")] = False,
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
            out.print(f"[{STATUS_STYLE[stage.status]}]{stage.status:>7}[/] {stage.name:<10} {stage.seconds:6.1f}s  {stage.detail}")

    if collection is not None and not (collection / ("facts.csv" if csv else "facts.parquet")).is_file():
        err.print(f"[red]finsam:[/] no facts.{'csv' if csv else 'parquet'} in {collection}: give a folder written by `finsam generate` or of the same layout")
        raise typer.Exit(EXIT_ERROR)
    result = nightly_run(project, wait_seconds=wait, publish_result=not no_publish, on_stage=on_stage,
                         collection=collection, collection_format="csv" if csv else "parquet", keep_build=keep_build)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2, default=str, ensure_ascii=False) + "\n")
    else:
        if show_progress:
            _summary(result)
        (out if result.exit_code == EXIT_OK else err).print(_verdict_line(result))
    raise typer.Exit(result.exit_code)


@app.command()
def validate() -> None:
    """Check every seed file (encoding, delimiter, columns, numbers, keys, years) without building anything."""
    project = _project()
    result = validate_seeds(project)
    for reading in result.readings:
        out.print(f"[yellow]read[/] {reading}")
    for problem in result.problems:
        err.print(f"[red]problem[/] {problem}")
    if result.problems:
        err.print(f"[red]{len(result.problems)} problem(s)[/]: fix them and run again; nothing was built.")
        raise typer.Exit(EXIT_ERROR)
    out.print(f"[green]all {len(result.normalised)} seed files are valid[/]")


@app.command()
def check(
    db: Annotated[Optional[Path], typer.Option(help="Warehouse to check (default: the published one).")] = None,
) -> None:
    """Run the Great Expectations suites against a built warehouse, read-only."""
    from finsam.gx_runner import run_suites

    project = _project()
    path = db or project.published_db
    if not path.is_file():
        err.print(f"[red]finsam:[/] no warehouse at {path}: run `make run` first")
        raise typer.Exit(EXIT_ERROR)
    suites = run_suites(path, project.expectations_dir)
    table = Table(title=f"Great Expectations on {path}")
    for column in ("suite", "rows", "expectations", "result"):
        table.add_column(column)
    for suite in suites:
        table.add_row(suite.name, str(suite.n_rows), str(len(suite.expectations)),
                      "[green]pass[/]" if suite.success else f"[red]fail ({suite.n_failed})[/]")
    out.print(table)
    raise typer.Exit(EXIT_OK if all(s.success for s in suites) else EXIT_INCONSISTENT)


@app.command()
def generate(
    folder: Annotated[Path, typer.Argument(help="Folder to write the collection into.")],
    orgs: Annotated[int, typer.Option(help="Number of associations.")] = 3,
    years: Annotated[int, typer.Option(help="Annual reports per association (ending with --last-year).")] = 3,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes the same collection.")] = 1,
    last_year: Annotated[int, typer.Option(help="Year of the newest report.")] = 2023,
    plant: Annotated[bool, typer.Option(help="Plant one inconsistency per rule family and write ground_truth.csv.")] = False,
    csv: Annotated[bool, typer.Option("--csv", help="Write CSV instead of Parquet.")] = False,
) -> None:
    """Write a synthetic, internally consistent collection of annual reports (for scale tests and benchmarks)."""
    from finsam.generate import generate as write_collection

    summary = write_collection(folder, orgs, years, seed=seed, last_year=last_year, plant=plant,
                               file_format="csv" if csv else "parquet")
    out.print(f"wrote {folder}: " + ", ".join(f"{v} {k}" for k, v in summary.items()))


@app.command()
def report(
    published: Annotated[bool, typer.Option(help="Show the report of the published warehouse rather than the latest run.")] = False,
) -> None:
    """Print where the latest (or published) report is, and its summary."""
    project = _project()
    link = project.reports_dir / ("published" if published else "latest")
    if not link.exists():
        err.print(f"[red]finsam:[/] no report at {link}: run `make run` first")
        raise typer.Exit(EXIT_ERROR)
    folder = link.resolve()
    out.print((folder / "summary.md").read_text(encoding="utf-8"))
    out.print(f"HTML: {folder / 'index.html'}")


if __name__ == "__main__":
    app()
