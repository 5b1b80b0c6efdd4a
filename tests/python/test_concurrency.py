"""Readers never block the nightly run and never see a half-built warehouse; two runs started at
once do not corrupt anything (the second waits for the lock)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from test_bi_access import read_every_mart

pytestmark = pytest.mark.slow  # whole runs or builds, every test

READER_THREADS = 2
READ_EVERY = 0.05  # seconds between a reader's reads: readers keep at it through every stage, and leave the runs a core
TIME_LIMIT_SECONDS = 300


def test_readers_query_every_mart_while_several_nightly_runs_publish(published):
    errors: list[str] = []
    reads = [0] * READER_THREADS
    stop = threading.Event()
    expected_marts = set(read_every_mart(published.published_db))

    def reader(k: int) -> None:
        while not stop.is_set():
            try:
                counts = read_every_mart(published.published_db)
                if set(counts) != expected_marts or not all(counts.values()):
                    errors.append(f"a half-built warehouse was visible: {counts}")
                reads[k] += 1
            except Exception as err:  # every reader error is a finding
                errors.append(f"{type(err).__name__}: {err}")
            stop.wait(READ_EVERY)

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(READER_THREADS)]
    for t in threads:
        t.start()
    start = time.monotonic()
    try:
        run = [sys.executable, "-m", "finsam.cli", "run", "--quiet", "--wait", str(TIME_LIMIT_SECONDS)]
        together = [subprocess.Popen(run, cwd=published.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                    for _ in range(2)]
        outcomes = [(p.wait(timeout=TIME_LIMIT_SECONDS), p.stderr.read()) for p in together]
        for p in together:
            p.stdout.close()
            p.stderr.close()
        third = subprocess.run(run, cwd=published.root, capture_output=True, text=True, timeout=TIME_LIMIT_SECONDS)
        outcomes.append((third.returncode, third.stderr))
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
    assert errors == []
    assert all(n > 2 for n in reads), reads
    assert time.monotonic() - start < TIME_LIMIT_SECONDS
    assert len(list((published.reports_dir / "runs").iterdir())) == 3
