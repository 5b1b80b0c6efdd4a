"""Numbers as Swedish reports print them: space, non-breaking or thin-space thousands separators, a
decimal comma, '−', '–', '-' or a doubled '--' minus, a unit or '%' after the number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from finsam.inputs.numbers import SPACES

# the thousands separators a person may type into a seed are the ones a report prints
SEPARATORS = "".join(SPACES)
MINUS = "-\u2212\u2013"
UNITS = {"%": "%", "kr": "kr", "tkr": "tkr", "mkr": "Mkr", "mnkr": "Mkr"}
# one whole printed number: sign, digits in groups of three or plain, decimal comma, unit
NUMBER = re.compile(
    rf"(?P<sign>--|(?<!\d)[{MINUS}+])?\s?(?P<whole>\d{{1,3}}(?:[{SEPARATORS}]\d{{3}})+|\d+)"
    rf"(?:,(?P<frac>\d+)|,\s(?P<spaced>\d+)(?=\s?(?:%|tkr|mnkr|mkr|kr)\b))?"
    rf"(?:\s?(?:(?P<unit>tkr|mnkr|mkr|kr)\b|(?P<percent>%)))?", re.IGNORECASE)


BARE_YEAR = re.compile(r"^(19|20)\d{2}$")


@dataclass(frozen=True)
class PrintedNumber:
    text: str
    value: Decimal
    decimals: int
    unit: str | None
    notes: tuple[str, ...]

    @property
    def canonical(self) -> str:
        return f"{self.value:.{self.decimals}f}"


def read_number(text: str) -> PrintedNumber | None:
    """The number a whole cell prints, or None when the cell is not one number."""
    cell = text.strip()
    match = NUMBER.fullmatch(cell)
    return _printed(match) if match else None


def is_figure(text: str) -> bool:
    """The cell prints one number that is a figure: a bare year ("2023") heads a column, it is no figure."""
    return read_number(text) is not None and not BARE_YEAR.match(text.strip())


def _printed(match: re.Match) -> PrintedNumber:
    sign, whole, frac = match["sign"] or "", match["whole"], match["frac"] or match["spaced"] or ""
    notes = []
    if match["spaced"]:
        notes.append("printed with a space after the decimal comma")
    if sign == "--":
        notes.append("printed with a doubled minus '--', read as one minus")
    elif sign == "+":
        notes.append("printed with a leading '+'")
    elif sign and sign != "-":
        notes.append(f"printed with the minus sign {sign!r} (U+{ord(sign):04X})")
    digits = re.sub(rf"[{SEPARATORS}]", "", whole)
    value = Decimal(f"{digits}.{frac}" if frac else digits)
    if sign and sign != "+":
        value = -value
    unit_text = match["unit"] or match["percent"]
    return PrintedNumber(match.group(0), value, len(frac), UNITS.get(unit_text.lower()) if unit_text else None,
                         tuple(notes))


def find_numbers(text: str) -> list[tuple[int, int, PrintedNumber]]:
    """Every printed number in running text: (start, end, number)."""
    return [(m.start(), m.end(), _printed(m)) for m in NUMBER.finditer(text)]
