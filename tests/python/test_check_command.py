"""`finsam check` on a built warehouse, read-only: the verdict of its checks and the GX suites, with the
exit code the nightly run would give them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb


def _check(project, db) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "finsam.cli", "check", "--db", str(db)], cwd=project.root,
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})


def test_the_published_warehouse_checks_out(published):
    done = _check(published, published.published_db)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "checks: 629 pass, 19 known, 0 fail" in done.stdout


def test_a_failing_check_is_named_and_exits_1(published, tmp_path):
    planted = tmp_path / "planted.duckdb"
    shutil.copy2(published.published_db, planted)
    with duckdb.connect(str(planted)) as con:
        con.execute("update intermediate.int_check_results set passed = false, rhs_value = rhs_value + 1000 "
                    "where check_id = 'calc.RR.verksamhetens_resultat.amount:lines' and fiscal_year = 2023")
    done = _check(published, planted)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "0 fail" not in done.stdout and "fail sf_vasteras calc.RR.verksamhetens_resultat.amount:lines 2023" in done.stdout


def test_no_warehouse_is_exit_2(project, tmp_path):
    done = _check(project, tmp_path / "missing.duckdb")
    assert done.returncode == 2 and "no warehouse" in done.stderr
