"""Build in a fresh file, publish by atomic rename.

DuckDB allows one writer or many readers per file. The nightly run therefore never writes the
published file: it builds `warehouse/.build-<run>/finsam.duckdb` (same file name, so the catalog
name inside views stays `finsam`) and, when every check passed, renames it over
`warehouse/finsam.duckdb`. A reader that has the old file open keeps reading it until it reconnects;
a new connection opens the new file. A run killed at any point leaves the published file untouched;
the next run removes stale build folders (only one run holds the lock at a time).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import socket
import time
from datetime import datetime, timezone
from pathlib import Path

from finsam.project import FinsamError

BUILD_PREFIX = ".build-"
LOCK_NAME = ".finsam-run.lock"
# The storage format the published file is written in (profiles/profiles.yml): DuckDB 1.4 LTS and
# every newer DuckDB read it, so BI tools that bundle DuckDB 1.x can open the warehouse.
PUBLISHED_STORAGE_VERSION = "v1.4.0"


class RunLock:
    """An exclusive advisory lock on the warehouse folder; released by the OS if the process dies."""

    def __init__(self, warehouse_dir: Path, wait_seconds: float = 0.0):
        self.path = warehouse_dir / LOCK_NAME
        self.wait_seconds = wait_seconds
        self._fd: int | None = None

    def __enter__(self) -> "RunLock":
        ensure_writable_dir(self.path.parent, "warehouse")
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as err:
                if err.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    holder = self._holder()
                    os.close(self._fd)
                    self._fd = None
                    raise FinsamError(
                        f"another nightly run holds {self.path} ({holder}); it was left running. "
                        "Wait for it, or run again with --wait SECONDS") from None
                time.sleep(0.2)
        os.ftruncate(self._fd, 0)
        os.write(self._fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                       "since": datetime.now(timezone.utc).isoformat()}).encode())
        return self

    def _holder(self) -> str:
        try:
            info = json.loads(self.path.read_text() or "{}")
            return f"pid {info.get('pid')} on {info.get('host')} since {info.get('since')}"
        except (OSError, ValueError):
            return "holder unknown"

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def ensure_writable_dir(path: Path, what: str) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise FinsamError(f"cannot create the {what} folder {path}: {err.strerror}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise FinsamError(f"the {what} folder {path} is not writable: fix its permissions or set "
                          f"FINSAM_{what.upper()}_DIR to a writable folder")


def remove_stale_builds(warehouse_dir: Path) -> list[Path]:
    """Build folders left by killed runs. Call only while holding the run lock."""
    stale = sorted(p for p in warehouse_dir.glob(f"{BUILD_PREFIX}*") if p.is_dir())
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    for tmp in warehouse_dir.glob(".finsam.duckdb.publish-*"):
        tmp.unlink(missing_ok=True)
    return stale


def new_build_dir(warehouse_dir: Path, run_id: str) -> Path:
    path = warehouse_dir / f"{BUILD_PREFIX}{run_id}"
    path.mkdir(parents=True)
    return path


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_storage_version(con) -> None:
    """Refuse to publish a file that DuckDB 1.4 could not open (`con`: a connection to the built file)."""
    version = con.execute("select tags['storage_version'] from duckdb_databases() where database_name = "
                          "current_database()").fetchall()[0][0]
    if not str(version).startswith(PUBLISHED_STORAGE_VERSION):
        raise FinsamError(f"the build was written in DuckDB storage format {version}, which BI tools with DuckDB "
                          f"1.4 cannot open; profiles/profiles.yml must set storage_compatibility_version: "
                          f"{PUBLISHED_STORAGE_VERSION}. Not publishing")


def publish_file(built: Path, published: Path) -> None:
    """Atomically replace `published` by `built` (same file system), durable once this returns."""
    if built.with_name(built.name + ".wal").exists():
        raise FinsamError(f"{built} still has a write-ahead log: the build did not close cleanly; not publishing")
    fsync_path(built)
    try:
        os.replace(built, published)
    except OSError as err:
        raise FinsamError(f"could not publish {published}: {err.strerror}; the previous warehouse is unchanged") from None
    fsync_path(published.parent)


def replace_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` atomically (readers see the old or the new target, never none)."""
    tmp = link.with_name(f".{link.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)
