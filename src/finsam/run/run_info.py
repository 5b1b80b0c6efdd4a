"""marts.run_info: the run that built the file a reader sees, written into it just before it is published."""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from finsam.project import Project, duckdb_settings
from finsam.run import publish
from finsam.run.results import RunResult


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
