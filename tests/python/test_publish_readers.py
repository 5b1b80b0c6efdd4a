"""What a long-running reader (a BI server's worker) sees when the nightly run publishes: marts.run_info
says which run it reads; a process that holds a connection keeps reading the previous file, even through
new connections, until all of them are closed; --after-publish runs a command to make it reconnect."""

from __future__ import annotations

import subprocess
import sys

import duckdb

from finsam.run.nightly import nightly_run

# A reader process like a BI worker: one connection held open (a pool), new ones opened per query.
READER = r"""
import duckdb, sys
path, config = sys.argv[1], {"enable_external_access": False, "lock_configuration": True}
query = "select run_id from marts.run_info"
held = duckdb.connect(path, read_only=True, config=config)
print(held.execute(query).fetchall()[0][0], flush=True)
sys.stdin.readline()                       # the nightly run publishes meanwhile
again = duckdb.connect(path, read_only=True, config=config)
print(again.execute(query).fetchall()[0][0], flush=True)
again.close()
held.close()                               # the last connection of the process to the file
fresh = duckdb.connect(path, read_only=True, config=config)
print(fresh.execute(query).fetchall()[0][0], flush=True)
"""


def run_id_of(path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select run_id from marts.run_info").fetchall()[0][0]


def test_run_info_names_the_run_that_published(pristine):
    with duckdb.connect(str(pristine.published_db), read_only=True) as con:
        (row,) = con.execute("select run_id, verdict, checks, checks_known_errata, checks_failed, associations, "
                             "published_at is not null from marts.run_info").fetchall()
    assert row[1:] == ("pass", 648, 19, 0, 1, True)
    assert (pristine.reports_dir / "published").resolve().name == row[0]


def test_a_reader_holding_a_connection_reads_the_old_file_until_it_lets_go(published, tmp_path):
    old = run_id_of(published.published_db)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published.published_db)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == old
        marker = tmp_path / "reloaded"
        command = f"{sys.executable} -c \"import os, pathlib; pathlib.Path(r'{marker}').write_text(os.environ['FINSAM_RUN_ID'])\""
        result = nightly_run(published, after_publish=command)
        assert result.exit_code == 0 and result.published, result.message
        assert marker.read_text() == result.run_id, "--after-publish ran with the new run id"
        assert "--after-publish exited 0" in result.stage("publish").detail
        assert run_id_of(published.published_db) == result.run_id   # a new process reads the new file
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == old               # a new connection, same process: old file
        assert reader.stdout.readline().strip() == result.run_id     # all closed, connected again: new file
    finally:
        reader.kill()
        reader.wait()


def test_a_failing_after_publish_command_is_reported_and_the_verdict_stays(published):
    result = nightly_run(published, after_publish=f"{sys.executable} -c \"import sys; sys.exit('no server here')\"")
    assert result.exit_code == 0 and result.published
    assert "--after-publish exited 1: no server here" in result.stage("publish").detail
