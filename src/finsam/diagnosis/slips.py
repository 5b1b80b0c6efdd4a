"""The kinds of slip: for a blamed figure's feasible range, the first classic slip whose value fits."""

from __future__ import annotations

import math
from dataclasses import dataclass

from finsam.diagnosis.model import Check, Figure
from finsam.precision import half_width, rounded_to

# misread first: it is a slip only of a figure read by OCR, and for such a figure the likelier one
KINDS = ("misread", "sign_flip", "unit_mislabel", "digit_transposition", "rounding", "digit_typo",
         "dropped_or_doubled_digit", "other_figure", "unexplained")


def _digits(fig: Figure) -> tuple[int, str]:
    scaled = round(abs(fig.value) * 10 ** fig.decimals)
    return (-1 if fig.value < 0 else 1), str(scaled)


def _from_digits(fig: Figure, sign: int, digits: str) -> float:
    return sign * int(digits) / 10 ** fig.decimals * fig.factor * fig.sign


# The characters OCR takes for one another in figures (each string a set), and the thousands group (three
# digits) a reading can lose or gain where a space between groups is read as a column break or not.
OCR_CONFUSIONS = ("17", "38", "56", "0896")
GROUP = 3


def _digit_inserted(fig: Figure, sign: int, digits: str, half: float) -> list[tuple[float, float]]:
    """The values with one digit more anywhere in the printed digits (none a leading zero): a digit dropped."""
    return [(_from_digits(fig, sign, digits[:k] + d + digits[k:]), half)
            for k in range(len(digits) + 1) for d in "0123456789" if k or d != "0"]


def _misread(fig: Figure, sign: int, digits: str, half: float) -> list[tuple[float, float]]:
    """The values a figure read by OCR may truly be: a digit confused, a thin digit lost (a "1" at 200 dpi)
    or a speck read as one, the minus lost or invented, a thousands group lost or gained at either end."""
    out: list[tuple[float, float]] = []
    for k, digit in enumerate(digits):
        for confusable in {d for group in OCR_CONFUSIONS if digit in group for d in group} - {digit}:
            if not (k == 0 and confusable == "0" and len(digits) > 1):
                out.append((_from_digits(fig, sign, digits[:k] + confusable + digits[k + 1:]), half))
    out += _digit_inserted(fig, sign, digits, half)
    if len(digits) > 1:
        out += [(_from_digits(fig, sign, digits[:k] + digits[k + 1:]), half) for k in range(len(digits))
                if k or digits[1] != "0"]
    if fig.value != 0:
        out.append((-fig.x, half))
    whole = len(digits) - max(fig.decimals, 0)
    if whole >= GROUP and whole % GROUP == 0:   # it starts with a full group: the group before it may be lost
        place = 10 ** len(digits)
        out += [(_from_digits(fig, sign, str(g * place + int(digits))), half) for g in range(1, 10 ** GROUP)]
    for k in range(1, min(GROUP, whole - 1) + 1):   # up to a group of the cell before joined on
        if digits[k] != "0":
            out.append((_from_digits(fig, sign, digits[k:]), half))
    if fig.decimals == 0:
        # the group after it read as another cell (any three digits follow), or the next cell's digits joined on
        spread = (10 ** GROUP - 1) / 2 * fig.grid
        out.append((_from_digits(fig, sign, digits + "0" * GROUP) + sign * fig.sign * spread, spread + half))
        out += [(_from_digits(fig, sign, digits[:-k]), half) for k in range(1, min(GROUP, whole - 1) + 1)]
    return out


def candidates(fig: Figure, kind: str, context: "Context") -> list[tuple[float, float]]:
    """(normalised value, half-width) of every value this kind of slip could have printed as fig."""
    sign, digits = _digits(fig)
    half = half_width(fig.factor, fig.decimals)
    out: list[tuple[float, float]] = []
    if kind == "misread":
        if fig.confidence is not None:
            out += _misread(fig, sign, digits, half)
    elif kind == "sign_flip" and fig.value != 0:
        out.append((-fig.x, half))
    elif kind == "unit_mislabel" and fig.value != 0:
        for unit, factor in context.units.get(fig.base_unit, []):
            if unit != fig.unit:
                ratio = factor / fig.factor
                out.append((fig.x * ratio, half * ratio))
    elif kind == "digit_transposition":
        for k in range(len(digits) - 1):
            if digits[k] != digits[k + 1] and not (k == 0 and digits[k + 1] == "0"):
                swapped = digits[:k] + digits[k + 1] + digits[k] + digits[k + 2:]
                out.append((_from_digits(fig, sign, swapped), half))
    elif kind == "rounding" and context.finer.get(fig.fact_id):
        out += [(fig.x + fig.grid, half), (fig.x - fig.grid, half)]
    elif kind == "digit_typo":
        for k in range(len(digits)):
            for d in "0123456789":
                if d != digits[k] and not (k == 0 and d == "0" and len(digits) > 1):
                    out.append((_from_digits(fig, sign, digits[:k] + d + digits[k + 1:]), half))
    elif kind == "dropped_or_doubled_digit":
        out += _digit_inserted(fig, sign, digits, half)
        for k in range(len(digits) - 1):
            if digits[k] == digits[k + 1]:
                out.append((_from_digits(fig, sign, digits[:k] + digits[k + 1:]), half))
    elif kind == "other_figure" and fig.value != 0:
        # the printed figure is one printed elsewhere: the slip put it here; any value that fits is the truth
        if context.equal_elsewhere.get(fig.fact_id):
            out.append((math.nan, math.inf))
    return out


@dataclass
class Context:
    units: dict[str, list[tuple[str, float]]]
    finer: dict[str, bool]
    equal_elsewhere: dict[str, str]


def classify(fig: Figure, interval: tuple[float, float], context: Context) -> tuple[str, float]:
    """The first kind of slip whose value fits the figure's feasible range, and the implied value."""
    lo, hi = min(interval), max(interval)
    slack = 1e-7 * max(1.0, abs(lo), abs(hi))
    tight = slack / 100   # a float's error, well under a printed unit at any magnitude
    # first a slip whose value's range overlaps the feasible one; then one that only touches it at an edge
    # (a feasible range pinned to a check's tolerance bound): 12 499 888 touches [12 499 886,5; 12 499 887,5]
    # where a mistyped 7 for 6 fits it
    for overlapping in (True, False):
        for kind in KINDS[:-1]:
            for value, half in candidates(fig, kind, context):
                if math.isnan(value):
                    return kind, _nearest(fig, lo, hi)
                a, b = max(lo, value - half), min(hi, value + half)
                inside = b - a > tight or abs((a + b) / 2 - value) < half - tight
                if a <= b + slack and (inside or not overlapping):
                    return kind, _on_grid(fig, (a + b) / 2, lo, hi)
    return "unexplained", _nearest(fig, lo, hi)


def _on_grid(fig: Figure, value: float, lo: float, hi: float) -> float:
    """The printable value (a multiple of the printed unit) nearest `value` within [lo, hi], if any."""
    g = fig.grid
    snapped = rounded_to(value, g)
    if snapped < lo - 1e-9 * g:
        snapped += g
    elif snapped > hi + 1e-9 * g:
        snapped -= g
    return round(snapped, 10) if lo - 1e-9 * g <= snapped <= hi + 1e-9 * g else value


def _nearest(fig: Figure, lo: float, hi: float) -> float:
    """The value nearest the printed one within the range, on the printed grid where one fits."""
    target = min(max(fig.x, lo), hi)
    return _on_grid(fig, target, lo, hi)


KIND_WORDS = {
    "misread": "a misreading of the scanned page",
    "sign_flip": "a sign flip", "unit_mislabel": "a unit mislabel", "digit_transposition": "two digits transposed",
    "rounding": "a rounding forced to make the table foot", "digit_typo": "a mistyped digit",
    "dropped_or_doubled_digit": "a dropped or doubled digit",
    "other_figure": "a figure that belongs to another line or year", "unexplained": "no recognised slip",
}


def finer(figures: dict[str, Figure], checks: list[Check]) -> dict[str, bool]:
    """Figures compared, in some check, with a figure of the same quantity printed more precisely."""
    finer: dict[str, bool] = {}
    for check in checks:
        terms = [figures[f] for f, c in check.terms if f in figures and c]
        finest: dict[str, float] = {}
        for fig in terms:
            finest[fig.base_unit] = min(finest.get(fig.base_unit, math.inf), fig.grid)
        for fig in terms:
            if finest[fig.base_unit] < fig.grid:
                finer[fig.fact_id] = True
    return finer


def equal_elsewhere(figures: dict[str, Figure]) -> dict[str, str]:
    """Figures whose printed amount is also printed for another line or year of the association."""
    seen: dict[tuple[str, float], set[str]] = {}
    for fig in figures.values():
        if fig.value != 0:
            seen.setdefault((fig.base_unit, round(abs(fig.value * fig.factor), 6)), set()).add(fig.key)
    out = {}
    for fig in figures.values():
        if fig.value != 0:
            others = seen[(fig.base_unit, round(abs(fig.value * fig.factor), 6))] - {fig.key}
            if others:
                out[fig.fact_id] = sorted(others)[0]
    return out
