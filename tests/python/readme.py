"""The README's own instructions, read from the README, so the tests exercise exactly what users are told."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def bi_connection(tool_prefix: str) -> str:
    """The backticked connection of the README's BI table row whose tool cell starts with `tool_prefix`."""
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith(tool_prefix):
            found = re.findall(r"`([^`]+)`", cells[1])
            assert found, f"the README's {tool_prefix} row has no connection in backticks"
            return found[0]
    raise AssertionError(f"the README has no BI row for {tool_prefix}")


def sqlalchemy_url(db_path: Path) -> str:
    return bi_connection("Superset").replace("/absolute/path/to/warehouse/finsam.duckdb", str(db_path))


def cli_command(db_path: Path) -> str:
    return bi_connection("DuckDB CLI").replace("warehouse/finsam.duckdb", str(db_path))
