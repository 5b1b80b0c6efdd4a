"""The Evidence source finsam ships (bi/evidence/sources/finsam) run through the real @evidence-dev/duckdb
plugin from npm against the published warehouse, as an Evidence project's `npm run sources` runs it: the
marts read; reading or writing a file and switching file access back on are refused; and without its
initialize.sql the source's own check query fails the build instead of leaving file access open."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
EVIDENCE = REPO / "bi" / "evidence"
PLUGIN = EVIDENCE / "node_modules" / "@evidence-dev" / "duckdb"
pytestmark = pytest.mark.skipif(shutil.which("node") is None or not PLUGIN.is_dir(),
                                reason="the Evidence DuckDB plugin is not installed: run `npm install --package-lock=false` in bi/evidence "
                                       "(.ci/run does; it needs Node.js and npm)")


def run_source(published, tmp_path: Path, without: str | None = None) -> dict:
    """The source folder as a user has it, two levels into an Evidence project beside the warehouse."""
    shutil.copytree(EVIDENCE / "sources", tmp_path / "bi" / "evidence" / "sources")
    shutil.copytree(EVIDENCE / "check", tmp_path / "bi" / "evidence" / "check")
    (tmp_path / "warehouse").mkdir()
    shutil.copy2(published.published_db, tmp_path / "warehouse" / "finsam.duckdb")
    if without:
        (tmp_path / "bi" / "evidence" / "sources" / "finsam" / without).unlink()
    done = subprocess.run(["node", "check/source.cjs"], cwd=tmp_path / "bi" / "evidence", capture_output=True,
                          text=True, timeout=120, env={"NODE_PATH": str(EVIDENCE / "node_modules"), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_evidence_source_reads_the_marts_and_no_file(published, tmp_path):
    out = run_source(published, tmp_path)
    with duckdb.connect(str(published.published_db), read_only=True) as con:
        marts = [r[0] for r in con.execute("select table_name from information_schema.tables "
                                           "where table_schema = 'marts' order by 1").fetchall()]
        n_checks = con.execute("select count(*) from marts.reconciliations").fetchone()[0]
    assert [r["table_name"] for r in out["marts"]["rows"]] == marts and len(marts) >= 10
    assert out["reconciliations"]["rows"] == [{"n": n_checks}]
    assert out["run_info"]["rows"][0]["storage_version"] == "v1.4.0"
    assert out["finsam_settings"]["rows"] == [{"external_access": "off"}]
    for refused in ("read_csv", "copy_to"):
        assert "file system operations are disabled" in out[refused].get("error", ""), out[refused]
    assert out["switch_back"]["rows"] == [{"on_after": False}], "the plugin ignores the failing SET; it stays off"
    assert not (tmp_path / "bi" / "evidence" / "sources" / "finsam" / "copied.csv").exists()


def test_without_initialize_sql_the_source_check_fails_the_build(published, tmp_path):
    out = run_source(published, tmp_path, without="initialize.sql")
    assert "file access is not off" in out["finsam_settings"].get("error", ""), out["finsam_settings"]
    assert "rows" in out["read_csv"], "what initialize.sql prevents: the plugin alone lets a query read a file"
