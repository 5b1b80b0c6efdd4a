"""The precision rule, its one owner in Python (macros/precision.sql is its owner in SQL).

A figure printed with d decimals in a unit stands for an interval: its value ± half a printed unit. Two
printed figures agree when their intervals overlap (XBRL Calculations 1.1); a printed table foots when
its terms, each rounded to the table's coarsest printed unit (the step), sum to within half a step.
The diagnosis states these rules as solver rows, the generator prints figures by them, the tests check
by them.
"""

from __future__ import annotations

import math


def half_width(factor_to_base: float, decimals: int) -> float:
    """Half a printed unit of a figure printed with `decimals` decimals in a unit of `factor_to_base`."""
    return factor_to_base * 0.5 / 10 ** decimals


def figures_agree(lhs: float, rhs: float, tolerance: float) -> bool:
    """Two figures agree: their difference is less than the summed half-widths (`tolerance`)."""
    return abs(lhs - rhs) < tolerance


def round_half_away(value: float) -> int:
    """To the nearest whole number, halves away from zero: as a printed figure is rounded (and DuckDB's round)."""
    return math.floor(value + 0.5) if value >= 0 else -math.floor(-value + 0.5)


def footing_step(tolerance: float) -> float:
    """A footing's step (the table's coarsest printed unit), from its tolerance of half a step."""
    return 2 * tolerance


def rounded_to(value: float, step: float) -> float:
    """A figure rounded to the nearest multiple of `step`."""
    return round_half_away(value / step) * step


def foots(terms: list[tuple[float, float]], tolerance: float) -> bool:
    """Whether (value, coefficient) terms, each rounded to the footing's step, sum to within half a step."""
    step = footing_step(tolerance)
    return abs(sum(coefficient * rounded_to(value, step) for value, coefficient in terms)) < step / 2
