"""A dbt child process that builds on request (`python -m finsam.run.dbt_worker`).

Importing dbt and compiling its macro templates take seconds; a worker pays both once. It can
be started before the build is ready, so that the import overlaps the caller's own work, and it can serve
several builds one after another.

Protocol: one JSON request per line on stdin, {"args": [...], "env": {...}, "cwd": "..."}; one JSON reply
per line on the worker's original stdout, {"exit_code": n, "output": "...", "nodes": [...] or null}, where
the exit code is the one the `dbt` command gives (0 success, 1 a failing node, 2 dbt could not run), the
output is what dbt printed and the nodes are what dbt's run_results.json would say of each node run
(null: dbt ran none), read from dbt's own result, so that a build need not write its JSON artifacts.
Each request runs with exactly its own environment and working folder, as a `dbt` command would. The
worker ends at the end of its input.
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading

from finsam.run.fault_points import reached

END = b"\0finsam-dbt-worker: end of output\0"


def _captured(run):
    """(`run()`, what it printed): file descriptors 1 and 2, Python's output and the C libraries', are read
    into memory, so that a full disk cannot hide dbt's message about it. The output ends at a marker the
    worker writes, not at the pipe's end: a process dbt starts may inherit the pipe and outlive the build."""
    read_end, write_end = os.pipe()
    chunks: list[bytes] = []

    def drain():
        with io.FileIO(read_end, "r") as pipe:
            tail = b""
            while chunk := pipe.read(65536):
                chunks.append(chunk)
                tail = (tail + chunk)[-len(END):]
                if tail == END:
                    break

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    saved = os.dup(1), os.dup(2)
    sys.stdout.flush(), sys.stderr.flush()
    os.dup2(write_end, 1), os.dup2(write_end, 2)
    try:
        result = run()
    finally:
        sys.stdout.flush(), sys.stderr.flush()
        os.dup2(saved[0], 1), os.dup2(saved[1], 2)
        os.close(saved[0]), os.close(saved[1])
        os.write(write_end, END)
        os.close(write_end)
        reader.join()
    return result, b"".join(chunks)[:-len(END)].decode("utf-8", "replace")


def serve(requests, replies) -> None:
    from multiprocessing import resource_tracker

    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    resource_tracker.ensure_running()  # dbt starts it on first use; started now, it holds no captured output

    for line in requests:
        request = json.loads(line)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        result, output = _captured(lambda: dbtRunner(callbacks=[_fault_points]).invoke(request["args"]))
        # dbt-duckdb keeps its DuckDB database open for the next command; the build file must be closed
        # when the build ends, as at the end of a `dbt` process (the checks open it from another process)
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager.close_all_connections()
        exit_code = 0 if result.success else 1 if result.exception is None else 2
        replies.write(json.dumps({"exit_code": exit_code, "output": output, "nodes": _nodes_run(result.result)}) + "\n")
        replies.flush()


def _nodes_run(result) -> list[dict] | None:
    """Each node a build ran, as dbt's run_results.json and manifest.json describe it; None when dbt ran no
    nodes (it could not start)."""
    if not hasattr(result, "results"):
        return None
    nodes = []
    for run in result.results:
        node = run.node
        metadata = getattr(node, "test_metadata", None)
        nodes.append({"unique_id": node.unique_id, "status": str(run.status), "message": run.message or "",
                      "failures": run.failures, "execution_time": run.execution_time or 0.0,
                      "compiled_code": getattr(node, "compiled_code", None) or "",
                      "original_file_path": node.original_file_path,
                      "attached_node": getattr(node, "attached_node", None) or "",
                      "column_name": getattr(node, "column_name", None) or "",
                      "test_kind": metadata.name if metadata is not None else ""})
    return nodes


def _fault_points(event) -> None:
    """The dbt points of finsam.run.fault_points: the first seed, model or test finished kills the run."""
    if event.info.name == "NodeFinished":
        reached(f"dbt {event.data.node_info.resource_type}", process=os.getppid())


def main() -> None:
    # replies go to the original stdout; what dbt prints is captured per request
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    serve(sys.stdin, replies)
    os._exit(0)  # the caller has gone: no need for Python's teardown of dbt's modules


if __name__ == "__main__":
    main()
