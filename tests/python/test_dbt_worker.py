"""The dbt worker: one dbt process serves builds one after another, each with its own environment, and
leaves the build file closed when a build ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import REPO
from finsam.run import dbt_steps
from finsam.run.dbt_steps import dbt_build, start_dbt_worker


@pytest.fixture
def probe_project(tmp_path) -> Path:
    """A one-model dbt project whose model shows an environment variable."""
    folder = tmp_path / "probe"
    (folder / "models").mkdir(parents=True)
    (folder / "dbt_project.yml").write_text("name: probe\nversion: '1.0.0'\nconfig-version: 2\nprofile: probe\n")
    (folder / "profiles.yml").write_text(
        "probe:\n  target: t\n  outputs:\n    t:\n      type: duckdb\n      path: \"{{ env_var('FINSAM_DB') }}\"\n")
    (folder / "models" / "probe.sql").write_text(
        "{{ config(materialized='table') }}\nselect '{{ env_var(\"FINSAM_PROBE\", \"unset\") }}' as probe\n")
    return folder


def _read_probe_in_another_process(db: Path) -> str:
    """Opened read-write from another process: DuckDB refuses while any process still has the file open."""
    done = subprocess.run([sys.executable, "-c", "import duckdb, sys\n"
                           "with duckdb.connect(sys.argv[1]) as con:\n"
                           "    print(con.execute('select probe from probe').fetchone()[0])", str(db)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _worker_pid() -> int:
    return dbt_steps._idle_worker.process.pid


def test_one_worker_builds_twice_each_with_its_own_environment_and_closes_the_file(probe_project, monkeypatch):
    start_dbt_worker()
    pid = _worker_pid()
    monkeypatch.setenv("FINSAM_PROBE", "first")
    first = dbt_build(probe_project, probe_project, probe_project / "first.duckdb")
    assert first.returncode == 0 and "Completed successfully" in first.log_tail
    assert _read_probe_in_another_process(probe_project / "first.duckdb") == "first"

    monkeypatch.delenv("FINSAM_PROBE")
    second = dbt_build(probe_project, probe_project, probe_project / "second.duckdb")
    assert second.returncode == 0
    assert _worker_pid() == pid  # the same dbt process built both
    assert _read_probe_in_another_process(probe_project / "second.duckdb") == "unset"


def test_a_dead_worker_is_replaced_and_a_failing_build_reports_dbts_exit_code(probe_project):
    start_dbt_worker()
    dead = _worker_pid()
    os.kill(dead, signal.SIGKILL)
    dbt_steps._idle_worker.process.wait()
    (probe_project / "models" / "broken.sql").write_text("select * from no_such_table\n")
    outcome = dbt_build(probe_project, probe_project, probe_project / "broken.duckdb")
    assert outcome.returncode == 1  # as the `dbt` command: a node failed
    assert "no_such_table" in outcome.log_tail
    assert _worker_pid() != dead


def test_a_worker_killed_during_a_build_is_reported_and_its_temporary_files_removed(probe_project):
    """kill -9 of the worker while it builds: `dbt stopped: killed by signal 9` (exit 2 for the run), not
    an error of finsam's own, and the worker's temporary folder is gone."""
    import threading

    worker = dbt_steps._take_worker()
    left = Path(worker.tmpdir) / "tmpa1b2c3.py"
    left.write_text("# a file the worker left\n")
    threading.Timer(0.5, os.kill, (worker.process.pid, signal.SIGKILL)).start()  # dbt still loading: mid-build
    env = {**os.environ, "FINSAM_DB": str(probe_project / "killed.duckdb")}
    with pytest.raises(dbt_steps.WorkerDied, match=r"^dbt stopped: killed by signal 9"):
        worker.build(["build", "--project-dir", str(probe_project), "--profiles-dir", str(probe_project)],
                     env, probe_project)
    assert not left.parent.exists()
    assert issubclass(dbt_steps.WorkerDied, dbt_steps.FinsamError)  # the run reports it and exits 2


def test_a_build_dbt_cannot_start_says_so_with_dbts_words(probe_project):
    """dbt runs no node (here its project file does not parse): the build is an error that quotes dbt, not an
    empty build that passes."""
    (probe_project / "dbt_project.yml").write_text("name: probe\nversion: [\n")
    with pytest.raises(dbt_steps.FinsamError, match=r"^dbt build could not start \(exit 2\):\n(.|\n)*Syntax error"):
        dbt_build(probe_project, probe_project, probe_project / "never.duckdb")


def test_every_cursor_of_a_build_keeps_the_profiles_memory_limit_and_row_order(probe_project, monkeypatch):
    """The project's profile gives dbt's database its memory limit (FINSAM_MEMORY_LIMIT) and lets it drop
    the insertion order when it opens the file; each model dbt builds runs on a cursor of its own, and each
    keeps both."""
    (probe_project / "dbt_project.yml").write_text("name: probe\nversion: '1.0.0'\nconfig-version: 2\nprofile: finsam\n")
    settings = ("select current_setting('memory_limit') as memory_limit, "
                "current_setting('preserve_insertion_order') as keeps_order\n")
    for name in ("first", "second"):
        (probe_project / "models" / f"{name}.sql").write_text("{{ config(materialized='table') }}\n" + settings)
    monkeypatch.setenv("FINSAM_MEMORY_LIMIT", "300MB")
    built = probe_project / "settings.duckdb"
    assert dbt_build(probe_project, REPO / "profiles", built).returncode == 0
    with duckdb.connect(str(built), read_only=True) as con:
        assert con.execute("select * from main.first union all select * from main.second").fetchall() == [
            ("286.1 MiB", False)] * 2   # 300 MB in binary units
