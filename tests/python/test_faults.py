"""Faults: a nightly run killed at any moment, a full disk, an unwritable warehouse folder.

After every fault the published warehouse opens, its reconciliations are those of the last good run,
and the next run succeeds without manual clean-up."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from conftest import sha256
from finsam.run.nightly import nightly_run

STAGE_LINE = re.compile(r"^\s*(ok|failed|skipped)\s+(validate|dbt build|gx|report|publish)\s")
# (stage during which to kill, seconds into the stage: low, high). The run prints a line when a stage
# ends, so a stage starts at the previous stage's line; start-up and validation take the first seconds.
KILL_WINDOWS = [
    ("validate", 0.0, 2.0),
    ("dbt build", 0.5, 3.5),   # dbt start-up and seed load
    ("dbt build", 3.5, 6.5),   # models
    ("dbt build", 6.5, 9.5),   # dbt tests
    ("gx", 0.0, 4.5),
    ("report", 0.0, 0.3),
    ("publish", 0.0, 0.02),
]
PREVIOUS = {"validate": None, "dbt build": "validate", "gx": "dbt build", "report": "gx", "publish": "report"}
RECONCILIATIONS = "select check_id, org_id, fiscal_year, status, lhs_value, rhs_value from marts.reconciliations order by all"


def published_reconciliations(project) -> list[tuple]:
    with duckdb.connect(str(project.published_db), read_only=True) as con:
        return con.execute(RECONCILIATIONS).fetchall()


def run_and_kill(project, stage: str, delay: float) -> str:
    """Start `finsam run`, SIGKILL it `delay` seconds into `stage`; return what happened."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "finsam.cli", "run"], cwd=project.root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    waiting_for = PREVIOUS[stage]
    if waiting_for is not None:
        for line in proc.stdout:
            match = STAGE_LINE.match(line)
            if match and match.group(2) == waiting_for:
                break
    time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        outcome = "killed"
    else:
        outcome = f"finished with exit {proc.returncode} before the kill"
    proc.wait(timeout=60)
    proc.stdout.close()
    return outcome


# the windows in two halves, one test each, so that the two test workers share the sequence
HALVES = {"validate and dbt build": KILL_WINDOWS[:4], "gx, report and publish": KILL_WINDOWS[4:]}


@pytest.mark.parametrize("half", sorted(HALVES))
def test_kill_at_any_moment_leaves_the_published_warehouse_and_the_next_run_succeeds(published, half):
    windows = HALVES[half]
    seed = int(os.environ.get("FINSAM_FAULT_SEED", time.time_ns() % 10**6))
    rng = random.Random(f"{seed}-{half}")
    baseline = published_reconciliations(published)
    assert nightly_run(published).exit_code == 0  # a complete first run: a published report exists
    log = []
    for stage, low, high in windows:
        delay = round(rng.uniform(low, high), 3)
        outcome = run_and_kill(published, stage, delay)
        log.append(f"{stage}+{delay}s: {outcome}")
        context = f"seed {seed}; {log}"
        assert published_reconciliations(published) == baseline, context
        assert (published.reports_dir / "published" / "index.html").is_file(), context
        time.sleep(0.2)  # the dbt child, if any, was killed with its parent (PR_SET_PDEATHSIG)
        after = nightly_run(published)
        assert after.exit_code == 0, f"{context}: the next run says {after.message}"
        assert not list(published.warehouse_dir.glob(".build-*")), context
        assert not list((published.reports_dir / ".staging").iterdir()), context
    assert sum(entry.endswith("killed") for entry in log) >= len(windows) - 1, log  # 5 of the 7 at least


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
