"""Shared fixtures: every test works on its own copy of the project, never on the repository's files."""

from __future__ import annotations

import csv
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

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


def pytest_collection_modifyitems(items):
    """The tests marked slow first, the longest first (`slow(seconds)`; 30 unless said), so that the short ones
    fill both workers' last minutes."""
    def expected_seconds(item) -> float:
        slow = item.get_closest_marker("slow")
        return 0 if slow is None else slow.args[0] if slow.args else 30
    items.sort(key=expected_seconds, reverse=True)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch):
    for name in ("FINSAM_DB", "FINSAM_PROJECT", "FINSAM_WAREHOUSE_DIR", "FINSAM_REPORTS_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def project(tmp_path) -> Project:
    return copy_project(tmp_path / "finsam")


def built_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder that `build` fills once per test session, for whichever test worker asks first (the others
    wait for it): what tests only read is built once, not once per worker."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the session's folder, above each worker's own
    folder = shared / name
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or the worker dies
        if not (folder / ".built").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            (folder / ".built").touch()
    return folder


def _pristine_run(folder: Path) -> None:
    result = nightly_run(copy_project(folder / "finsam"))
    assert result.exit_code == 0, result.message


@pytest.fixture(scope="session")
def pristine(tmp_path_factory) -> Project:
    """One nightly run on the real seeds: its published warehouse and report are shared read-only."""
    return Project(built_once(tmp_path_factory, "pristine", _pristine_run) / "finsam")


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
    unit_tests: dict[str, str]      # status by name of the project's unit tests, run by this build (not by the nightly run)


def _view_build(folder: Path) -> None:
    project = copy_project(folder / "finsam")
    db = project.root / VIEWS_DB
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
    (folder / "unit_tests.json").write_text(json.dumps({t.name.split(".")[-1]: t.status for t in outcome.of_type("unit_test")}))


VIEWS_DB = "views.duckdb"


@pytest.fixture(scope="session")
def view_warehouse(tmp_path_factory) -> ViewWarehouse:
    """The project built once with its marts as views, so that a change to a seed row is re-evaluated by
    a plain query of any model or test; each worker writes to its own copy of the file."""
    shared = built_once(tmp_path_factory, "views", _view_build)
    db = tmp_path_factory.mktemp("views") / VIEWS_DB
    shutil.copy2(shared / "finsam" / VIEWS_DB, db)
    con = duckdb.connect(str(db))
    yield ViewWarehouse(con, shared / "finsam" / "target", json.loads((shared / "unit_tests.json").read_text()))
    con.close()
