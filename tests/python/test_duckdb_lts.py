"""The published warehouse opens in the DuckDB that BI tools bundle: DuckDB 1.4 LTS (Python) and the DuckDB
CLI from the package index, each in an environment of its own, set up once and kept beside .venv."""

from __future__ import annotations

import fcntl
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from readme import cli_command

# The oldest DuckDB the published file must open in, the CLI a user installs with pip, and pytz, which every BI
# environment has and DuckDB 1.x needs to return timestamptz values (marts.run_info) to Python.
LTS_PACKAGES = ["duckdb==1.4.4", "duckdb-cli==1.5.6", "pytz==2026.6"]
REPO = Path(__file__).resolve().parents[2]
READ_EVERY_MART = """
import duckdb, json, sys
con = duckdb.connect(sys.argv[1], read_only=True)
marts = [r[0] for r in con.sql("select table_name from information_schema.tables where table_schema = 'marts'").fetchall()]
print(json.dumps({"version": duckdb.__version__,
                  "counts": {m: con.sql(f"select * from marts.{m}").fetchall().__len__() for m in marts}}))
"""


@pytest.fixture(scope="session")
def lts_env() -> Path:
    """A virtual environment with DuckDB 1.4 and the DuckDB CLI; created once (under a lock: tests run in parallel)."""
    env = Path(sys.prefix) / "duckdb-lts"
    marker = env / f".installed {' '.join(LTS_PACKAGES)}"
    env.parent.mkdir(parents=True, exist_ok=True)
    with open(env.parent / ".duckdb-lts.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(env)], check=True)
            subprocess.run([str(env / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                            *LTS_PACKAGES], check=True)
            marker.touch()
    return env


def test_duckdb_14_reads_every_mart_of_the_published_file(published, lts_env):
    proc = subprocess.run([str(lts_env / "bin" / "python"), "-c", READ_EVERY_MART, str(published.published_db)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    assert seen["version"].startswith("1.4.")
    assert {"reconciliations", "financial_statements", "equity_rollforward", "funding_split"} <= set(seen["counts"])
    assert all(n > 0 for n in seen["counts"].values()), seen["counts"]


def test_the_readme_cli_line_reads_and_refuses_file_access(published, lts_env, tmp_path):
    command = shlex.split(cli_command(published.published_db))
    assert command[0] == "duckdb"
    cli = [str(lts_env / "bin" / "duckdb"), *command[1:]]
    proc = subprocess.run([*cli, "-csv", "-c", "select count(*) from marts.reconciliations"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert int(proc.stdout.split()[-1]) > 200
    leak = tmp_path / "leak.csv"
    proc = subprocess.run([*cli, "-c", f"copy (select 1) to '{leak}'"], capture_output=True, text=True)
    assert proc.returncode != 0 and "disabled by configuration" in proc.stdout + proc.stderr
    assert not leak.exists()
