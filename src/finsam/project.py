"""Where things are: the dbt project, its seeds, the published warehouse and the reports."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml


def duckdb_settings() -> dict[str, str]:
    """DuckDB's settings for every connection of a run to the warehouse: the same memory budget as dbt's
    (profiles/profiles.yml), so that reading the checks of many reports stays within the machine's."""
    return {"memory_limit": os.environ.get("FINSAM_MEMORY_LIMIT", "1200MB")}


class FinsamError(Exception):
    """A run cannot complete (bad input, missing tool, unwritable folder): exit code 2."""


class DiskFullError(FinsamError):
    def __init__(self, where: Path):
        super().__init__(f"the disk holding {where} is full (No space left on device): free space and run "
                         "again; the published warehouse is unchanged")


@dataclass(frozen=True)
class Project:
    root: Path
    scratch: Path | None = None   # a warehouse and reports of their own here: a run that publishes nothing anyone reads

    @classmethod
    def locate(cls, start: Path | None = None) -> "Project":
        """The nearest folder at or above `start` (default: FINSAM_PROJECT or the cwd) with dbt_project.yml."""
        here = Path(start or os.environ.get("FINSAM_PROJECT") or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "dbt_project.yml").is_file():
                return cls(folder)
        raise FinsamError(f"no dbt_project.yml at or above {here}: run finsam inside the finsam project")

    @property
    def seeds_dir(self) -> Path:
        return self.root / "seeds"

    @property
    def profiles_dir(self) -> Path:
        return self.root / "profiles"

    @property
    def expectations_dir(self) -> Path:
        return self.root / "expectations"

    @property
    def warehouse_dir(self) -> Path:
        if self.scratch:
            return self.scratch / "warehouse"
        return Path(os.environ.get("FINSAM_WAREHOUSE_DIR") or self.root / "warehouse")

    @property
    def reports_dir(self) -> Path:
        if self.scratch:
            return self.scratch / "reports"
        return Path(os.environ.get("FINSAM_REPORTS_DIR") or self.root / "reports")

    @property
    def published_db(self) -> Path:
        return self.warehouse_dir / "finsam.duckdb"

    def dbt_project_config(self) -> dict:
        return yaml.safe_load((self.root / "dbt_project.yml").read_text(encoding="utf-8"))

    def project_files(self) -> list[Path]:
        """Files a build needs, relative to the root: the dbt project without its outputs."""
        wanted = ["dbt_project.yml", "models", "macros", "seeds", "tests/dbt"]
        files: list[Path] = []
        for name in wanted:
            path = self.root / name
            if path.is_file():
                files.append(Path(name))
            elif path.is_dir():
                files.extend(p.relative_to(self.root) for p in sorted(path.rglob("*")) if p.is_file())
        return files
