"""Faults: a nightly run killed at any point (finsam.run.fault_points), a full disk, an unwritable
warehouse folder.

After every fault the published warehouse opens, its reconciliations are those of the last good run,
and the next run succeeds without manual clean-up."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from conftest import sha256
from finsam.run.fault_points import KILL_AT, POINTS
from finsam.run.nightly import nightly_run

pytestmark = pytest.mark.slow  # whole runs or builds, every test

RECONCILIATIONS = "select check_id, org_id, fiscal_year, status, lhs_value, rhs_value from marts.reconciliations order by all"


def published_reconciliations(project) -> list[tuple]:
    with duckdb.connect(str(project.published_db), read_only=True) as con:
        return con.execute(RECONCILIATIONS).fetchall()


def run_killed_at(project, point: str) -> subprocess.CompletedProcess:
    """`finsam run`, killed (SIGKILL) when it reaches `point` (finsam.run.fault_points)."""
    return subprocess.run([sys.executable, "-m", "finsam.cli", "run", "--quiet"], cwd=project.root,
                          env={**os.environ, KILL_AT: point}, capture_output=True, text=True, timeout=300)


# the points in three parts of about equal time (a late kill costs almost a whole run), one test each, so
# that the test workers share them
PARTS = {"validate to dbt's models": POINTS[:4], "dbt's tests to the run info": POINTS[4:7],
         "publish and report": POINTS[7:]}


def test_the_parts_take_every_point_once():
    assert [p for part in PARTS.values() for p in part] == list(POINTS) and len(POINTS) == 9  # the README says nine


@pytest.mark.parametrize("part", sorted(PARTS))
def test_killed_at_any_point_the_run_leaves_the_published_warehouse_and_the_next_run_succeeds(published, pristine, part):
    shutil.copytree(pristine.reports_dir, published.reports_dir, symlinks=True)  # a published run's report
    baseline = published_reconciliations(published)
    for point in PARTS[part]:
        killed = run_killed_at(published, point)
        assert killed.returncode == -signal.SIGKILL, (point, killed.returncode, killed.stderr[-2000:])
        assert published_reconciliations(published) == baseline, point
        assert (published.reports_dir / "published" / "index.html").is_file(), point
        after = nightly_run(published)
        assert after.exit_code == 0, f"killed at {point}: the next run says {after.message}"
        assert not list(published.warehouse_dir.glob(".build-*")), point
        assert not list((published.reports_dir / ".staging").iterdir()), point


@contextmanager
def tmpfs(path: Path, size: str):
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"this machine does not allow mounting a tmpfs to simulate a full disk: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_full_disk_exits_2_with_a_clear_message_and_loses_nothing(published, tmp_path, monkeypatch):
    with tmpfs(tmp_path / "small", "12m") as small:
        shutil.copy2(published.published_db, small / "finsam.duckdb")  # 8 MB: leaves too little to build
        before = sha256(small / "finsam.duckdb")
        monkeypatch.setenv("FINSAM_WAREHOUSE_DIR", str(small))
        result = nightly_run(published)
        assert result.exit_code == 2
        assert "No space left on device" in result.message and "unchanged" in result.message
        assert sha256(small / "finsam.duckdb") == before
        assert not list(small.glob(".build-*"))
        with duckdb.connect(str(small / "finsam.duckdb"), read_only=True) as con:
            assert con.execute("select count(*) from marts.reconciliations").fetchall()[0][0] > 0


def test_unwritable_warehouse_folder_exits_2(published, tmp_path, monkeypatch):
    with tmpfs(tmp_path / "ro", "20m") as folder:
        shutil.copy2(published.published_db, folder / "finsam.duckdb")
        before = sha256(folder / "finsam.duckdb")
        assert subprocess.run(["mount", "-o", "remount,ro", str(folder)]).returncode == 0
        monkeypatch.setenv("FINSAM_WAREHOUSE_DIR", str(folder))
        result = nightly_run(published)
        assert result.exit_code == 2
        assert "not writable" in result.message and str(folder) in result.message
        assert sha256(folder / "finsam.duckdb") == before
