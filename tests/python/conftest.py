"""Shared fixtures: every test works on its own copy of the project, never on the repository's files."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from finsam.run.dbt_steps import dbt_build, dbt_executable
from finsam.run.nightly import nightly_run
from finsam.project import Project

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))  # the benchmark and developer tools, outside the installed package
COPIED = ["dbt_project.yml", "models", "macros", "seeds", "tests/dbt", "expectations", "profiles"]


def copy_project(dest: Path) -> Project:
    for name in COPIED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return Project(dest)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edit_csv_rows(path: Path, match: dict[str, str], changes: dict[str, str]) -> int:
    """Change the rows of a seed whose columns equal `match`; returns how many rows changed."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0].keys())
    n = 0
    for row in rows:
        if all(row[k] == v for k, v in match.items()):
            row.update(changes)
            n += 1
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return n


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch):
    for name in ("FINSAM_DB", "FINSAM_PROJECT", "FINSAM_WAREHOUSE_DIR", "FINSAM_REPORTS_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def project(tmp_path) -> Project:
    return copy_project(tmp_path / "finsam")


@pytest.fixture(scope="session")
def pristine(tmp_path_factory) -> Project:
    """One nightly run on the real seeds: its published warehouse and report are shared read-only."""
    project = copy_project(tmp_path_factory.mktemp("pristine") / "finsam")
    result = nightly_run(project)
    assert result.exit_code == 0, result.message
    return project


@pytest.fixture
def published(project, pristine) -> Project:
    """A project copy that already has a published warehouse (a copy of the pristine one)."""
    project.warehouse_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(pristine.published_db, project.published_db)
    return project


@dataclass
class ViewWarehouse:
    con: duckdb.DuckDBPyConnection  # open for writing: plant rows in a transaction and roll it back
    target: Path                    # dbt's target folder: manifest.json and the compiled SQL of every node
    unit_tests: list                # the project's unit tests, run by this build (the nightly run leaves them out)


@pytest.fixture(scope="session")
def view_warehouse(tmp_path_factory) -> ViewWarehouse:
    """The project built once with its marts as views, so that a change to a seed row is re-evaluated by
    a plain query of any model or test."""
    project = copy_project(tmp_path_factory.mktemp("views") / "finsam")
    db = project.root / "views.duckdb"
    views = ["--vars", "{table_materialization: view}"]
    # the data tests are compiled, not run: on views each would evaluate its models again, and the tests
    # that read them run their queries; the unit tests run here
    outcome = dbt_build(project.root, project.profiles_dir, db, [*views, "--exclude-resource-type", "test"])
    assert outcome.returncode == 0, outcome.log_tail
    compiled = subprocess.run(
        [dbt_executable(), "compile", "--select", "test_type:data", *views,
         "--project-dir", str(project.root), "--profiles-dir", str(project.profiles_dir)],
        env={**os.environ, "FINSAM_DB": str(db)}, capture_output=True, text=True)
    assert compiled.returncode == 0, compiled.stdout[-3000:]
    con = duckdb.connect(str(db))
    yield ViewWarehouse(con, project.root / "target", outcome.of_type("unit_test"))
    con.close()
