"""Where a run builds: dbt's private copy of the project (a few reused folders of the user, so that dbt
re-parses only what changed) and the build file the validated inputs are loaded into."""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from finsam.inputs import ValidationResult
from finsam.project import Project, duckdb_settings
from finsam.run import publish


def prepare_build_project(project: Project, target: Path, normalised: dict[Path, str]) -> Path:
    """A private copy of the dbt project with the validated (normalised) seeds, in `target`: a temporary
    folder with a plain name, because dbt-duckdb writes each seed file's path into SQL text.

    The copies are new files, not copies of the originals' times: dbt takes a schema file whose time equals
    the one in a kept parse as unchanged without reading it, and may keep the time of a file an earlier
    build changed (dbt-core 1.11), so a parse kept from another project's build could pass off that build's
    edited unit test or rule as this project's."""
    for rel in project.project_files():
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project.root / rel, dest)
    for rel, text in normalised.items():
        (target / "seeds" / rel).write_text(text, encoding="utf-8")
    return target


BUILD_SLOTS = 4


def _take_build_slot() -> tuple[int, Path, Path] | None:
    """(lock, folder, parse cache) of a free build slot of this user, or None when all are taken or the
    slots' folder is not this user's own and private."""
    slots = Path(tempfile.gettempdir()) / f"finsam-{os.getuid()}"
    try:
        slots.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(slots)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            return None
        for slot in range(BUILD_SLOTS):
            lock = os.open(slots / f"build-{slot}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(lock)
                continue
            folder = slots / f"build-{slot}"
            shutil.rmtree(folder, ignore_errors=True)
            try:
                folder.mkdir(mode=0o700)
            except OSError:
                os.close(lock)
                return None
            return lock, folder, slots / f"build-{slot}.parse"
    except OSError:
        pass
    return None


@contextmanager
def build_slot() -> Iterator[tuple[Path, Path | None]]:
    """(an empty folder for the build copy of the dbt project, the folder that keeps dbt's parse of it).

    dbt's parse names the project's files by absolute path, so a build can reuse only a parse made in the
    same folder. A few plain-named folders of this user (`$TMPDIR/finsam-<uid>/build-<n>`) are taken in turn
    under a lock that the OS releases if the run dies: a build re-parses only the files that differ from the
    last build in its folder, whichever warehouse that was. When every slot is taken, or the slots' folder is
    not this user's own and private, a fresh temporary folder that keeps no parse.
    """
    taken = _take_build_slot()
    if taken is None:
        yield Path(tempfile.mkdtemp(prefix="finsam-project-")), None
        return
    lock, folder, parse_cache = taken
    try:
        yield folder, parse_cache
    finally:
        os.close(lock)


def create_build_file(built_db: Path, validation: ValidationResult) -> None:
    """The build file, in the published storage format, with the validated collection in schema `collection`
    (copied by DuckDB from the validator: no path or value is ever part of SQL text but the quoted file name)."""
    duckdb.connect(str(built_db), config={**duckdb_settings(),
                                          "storage_compatibility_version": publish.PUBLISHED_STORAGE_VERSION}).close()
    validation.load_collection(built_db)
    validation.close()  # the validated rows are in the build file: their memory is dbt's and the checks' now
