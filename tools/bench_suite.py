"""The test suite's time on a clean clone (`python tools/bench_suite.py --record`), as CI runs it.

Each run clones the repository's HEAD into a fresh folder with `../shared` beside it and runs
`CI=true bash .ci/run` there (a new virtual environment, then `make test`), nothing else running; it keeps
pytest's own summary line (the suite's time), the whole command's time and pytest's ten slowest tests
(`--durations=10` is part of the suite's options). `--record` replaces the section "## Test suite" of
BENCHMARKS.md (tools/bench.py keeps it). About ten minutes a run: outside the test suite and `make bench`.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench import TEST_SUITE, record_section

REPO = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(r"^=+ (.*\d+ passed.*) in ([\d.]+)s(?: \([\d:]+\))? =+$", re.M)
SLOWEST = re.compile(r"^=+ slowest 10 durations =+\n(.*?)\n=", re.M | re.S)


def clean_clone_run(work: Path) -> dict:
    clone = work / "finsam"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    (work / "shared").symlink_to((REPO.parent / "shared").resolve())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True, text=True,
                            check=True).stdout.strip()
    start = time.perf_counter()
    done = subprocess.run(["bash", ".ci/run"], cwd=clone, env={**os.environ, "CI": "true"},
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    output = done.stdout + done.stderr
    summary, slowest = SUMMARY.search(output), SLOWEST.search(output)
    if done.returncode != 0 or not summary or not slowest:
        raise SystemExit(f"bench_suite: .ci/run exited {done.returncode}:\n{output[-3000:]}")
    return {"commit": commit, "exit": done.returncode, "summary": summary.group(1),
            "pytest_s": float(summary.group(2)), "wall_s": wall, "slowest": slowest.group(1).splitlines()}


def render(runs: list[dict]) -> str:
    lines = [TEST_SUITE, "",
             f"Recorded {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores, "
             f"by `python tools/bench_suite.py --record`: `CI=true bash .ci/run` on a clean clone of the commit "
             f"(a new virtual environment, then `make test`: pytest on 2 workers), nothing else running. Target: "
             f"the suite (pytest's own time) under 5 minutes.", "",
             "| run | commit | pytest's summary | pytest s | whole .ci/run s | under 5 min |", "|---|---|---|---|---|---|"]
    for k, run in enumerate(runs, 1):
        lines.append(f"| {k} | {run['commit']} | {run['summary']} | {run['pytest_s']:.0f} | {run['wall_s']:.0f} | "
                     f"{'yes' if run['pytest_s'] < 300 else '**no**'} |")
    lines += ["", f"The ten slowest tests of run {len(runs)} (seconds on one of the two workers, the other busy):", "", "```"]
    lines += runs[-1]["slowest"] + ["```", ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/bench_suite.py", description=__doc__)
    parser.add_argument("--runs", type=int, default=2, help="clean-clone runs, one after the other (default 2)")
    parser.add_argument("--record", action="store_true", help="replace the section in BENCHMARKS.md")
    args = parser.parse_args(argv)
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="finsam-bench-suite-") as scratch:
            runs.append(clean_clone_run(Path(scratch)))
        print(runs[-1]["summary"], f"{runs[-1]['wall_s']:.0f} s", file=sys.stderr, flush=True)
    text = render(runs)
    print(text)
    if args.record:
        record_section(REPO / "BENCHMARKS.md", TEST_SUITE, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
