"""Run `dbt build` on a build copy of the project, in a child process, and read what it reports.

A child process (rather than dbt's in-process runner) cannot keep the DuckDB file open in the nightly
run's own process, and it is killed with the nightly run if that dies. The child is a worker
(finsam.run.dbt_worker): started early, it imports dbt while the caller prepares the build, and a process
that builds again reuses it.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from finsam.project import DiskFullError, FinsamError
from finsam.run.results import DbtOutcome, NodeOutcome

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL the child if the nightly run dies, so no orphan keeps writing."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    if candidate.is_file():
        return str(candidate)
    raise FinsamError(f"dbt is not installed beside {sys.executable}: run `make run` so that the environment is set up")


PARSED = "partial_parse.msgpack"


def _keep_parse(parsed: Path, parse_cache: Path) -> None:
    """Keep dbt's parse for the next build, whole or not at all: it only saves time, so a full disk
    or a read-only folder costs the next build a full parse and nothing else."""
    kept = parse_cache / f".{PARSED}.{os.getpid()}"
    try:
        parse_cache.mkdir(parents=True, exist_ok=True)
        shutil.copy2(parsed, kept)
        os.replace(kept, parse_cache / PARSED)
    except OSError:
        kept.unlink(missing_ok=True)


class DbtWorker:
    """A finsam.run.dbt_worker child process: one build at a time, in the thread that started it (Linux kills
    it when that thread ends, see _die_with_parent). Its temporary files go to a folder of its own, removed
    when it is closed, whatever way it ended."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.errors = tempfile.TemporaryFile()  # what the worker prints outside a build: why it could not start
        self.tmpdir = tempfile.mkdtemp(prefix="finsam-dbt-worker-")
        self.process = subprocess.Popen([sys.executable, "-m", "finsam.run.dbt_worker"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.errors, text=True, encoding="utf-8",
                                        env={**os.environ, "TMPDIR": self.tmpdir}, preexec_fn=_die_with_parent)

    @property
    def usable(self) -> bool:
        return self.process.poll() is None and self.thread == threading.get_ident()

    def build(self, args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, list[dict] | None]:
        """(dbt's exit code, what dbt printed, each node run: finsam.run.dbt_worker says what of it; None when
        dbt ran none). A worker that ends without answering is reported as such (WorkerDied), with the last
        lines it printed."""
        try:
            self.process.stdin.write(json.dumps({"args": args, "env": {**env, "TMPDIR": self.tmpdir},
                                                 "cwd": str(cwd)}) + "\n")
            self.process.stdin.flush()
            reply = self.process.stdout.readline()
        except (BrokenPipeError, OSError):
            reply = ""
        if reply:
            answer = json.loads(reply)
            return answer["exit_code"], answer["output"], answer["nodes"]
        if self.process.poll() is None:
            self.process.kill()
        code = self.process.wait()
        self.errors.seek(0)
        printed = self.errors.read().decode("utf-8", "replace").strip().splitlines()[-10:]
        self.close()
        how = f"killed by signal {-code}" if code < 0 else f"ended with exit code {code}"
        raise WorkerDied(f"dbt stopped: {how}" + ("; its last lines:\n" + "\n".join(printed) if printed else ""))

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.errors):
            try:
                stream.close()
            except OSError:
                pass
        shutil.rmtree(self.tmpdir, ignore_errors=True)


class WorkerDied(FinsamError):
    """The dbt worker ended during a build (killed, or out of memory): the run cannot go on (exit 2)."""


_idle_worker: DbtWorker | None = None
_idle_lock = threading.Lock()


def _taken_idle_worker() -> DbtWorker | None:
    """The worker kept for a next build, now the caller's alone; None when none is kept."""
    global _idle_worker
    with _idle_lock:
        worker, _idle_worker = _idle_worker, None
    return worker


def _take_worker() -> DbtWorker:
    worker = _taken_idle_worker()
    if worker is not None and worker.usable:
        return worker
    if worker is not None:
        worker.close()
    return DbtWorker()


def _give_back(worker: DbtWorker) -> None:
    global _idle_worker
    with _idle_lock:
        if _idle_worker is None:
            _idle_worker, worker = worker, None
    if worker is not None:
        worker.close()


def start_dbt_worker() -> None:
    """Start dbt now, so that its import overlaps what the caller does before it builds."""
    _give_back(_take_worker())


@atexit.register
def close_idle_worker() -> None:
    """Close the worker kept for a next build: its process, and its temporary folder, which would outlive a
    process that ends without closing it. At exit, and by the `finsam` command, which ends without it."""
    worker = _taken_idle_worker()
    if worker is not None:
        worker.close()


def dbt_build(project_dir: Path, profiles_dir: Path, db_path: Path, extra_args: list[str] | None = None,
              parse_cache: Path | None = None) -> DbtOutcome:
    """`dbt build` (seeds, models, data and unit tests) into `db_path`.

    `parse_cache`: a folder that keeps dbt's parsed project between builds of the same project folder
    and database path, so that dbt re-parses only the files that changed (seconds of every run).
    """
    env = {**os.environ, "FINSAM_DB": str(db_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "DO_NOT_TRACK": "1", "DBT_PARTIAL_PARSE": "true" if parse_cache else "false"}
    if parse_cache and (parse_cache / PARSED).is_file():
        (project_dir / "target").mkdir(exist_ok=True)
        shutil.copy2(parse_cache / PARSED, project_dir / "target" / PARSED)
    args = ["build",
            "--project-dir", str(project_dir), "--profiles-dir", str(profiles_dir),
            "--target-path", str(project_dir / "target"), "--log-path", str(project_dir / "logs"),
            "--no-use-colors", "--no-version-check", *(extra_args or [])]
    start = time.perf_counter()
    worker = _take_worker()
    returncode, output, nodes_run = worker.build(args, env, project_dir)  # WorkerDied: the worker is closed
    if returncode in (0, 1):
        _give_back(worker)  # dbt runs commands one after another in one process
    else:  # a worker whose command could not run is not trusted with another
        worker.close()
    outcome = DbtOutcome(returncode, round(time.perf_counter() - start, 3))
    if parse_cache and (project_dir / "target" / PARSED).is_file():
        _keep_parse(project_dir / "target" / PARSED, parse_cache)
    outcome.log_tail = "\n".join(output.strip().splitlines()[-30:])
    outcome.disk_full = "No space left on device" in output
    if outcome.disk_full and returncode != 0:
        raise DiskFullError(project_dir)
    if nodes_run is None:
        raise FinsamError(f"dbt build could not start (exit {returncode}):\n{outcome.log_tail}")
    # a test's file is that of the seed or model it tests, which the build ran too
    files = {r["unique_id"]: r["original_file_path"] for r in nodes_run}
    for r in nodes_run:
        unique_id = r["unique_id"]
        outcome.nodes.append(NodeOutcome(
            name=unique_id.split(".")[-1] if not unique_id.startswith("unit_test") else ".".join(unique_id.split(".")[-2:]),
            resource_type=unique_id.split(".")[0],
            status=r["status"],
            message=r["message"].strip(),
            failures=r["failures"],
            seconds=round(r["execution_time"], 3),
            compiled_code=r["compiled_code"] if unique_id.startswith("test.") else "",
            tested_file=files.get(r["attached_node"], ""),
            tested_column=r["column_name"],
            test_kind=r["test_kind"],
        ))
    return outcome
