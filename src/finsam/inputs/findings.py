"""A problem or a note of the input validation, with the file, line and column it is about."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """A problem (the input is refused) or a note (read in an unambiguous way, or harmless)."""

    file: str
    line: int
    column: int
    column_name: str | None
    value: str | None
    message: str

    def location(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        if self.column_name:
            where += f" ({self.column_name})"
        return where

    def __str__(self) -> str:
        value = f" {self.value!r}:" if self.value is not None else ""
        return f"{self.location()}:{value} {self.message}"
