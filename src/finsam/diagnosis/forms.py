"""The forms of a check, as the diagnosis states them (int_reconciliations.form and .terms): one class a
form. Each says whether its check enters the localisation problem, which of its figures can explain its
failure, and the rows that hold it while some of its figures move. The ratio claim's special cases
(its figures with coefficient 0, a claim that moves alone, a claim released by a blamed figure) are all
in its class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import highspy
import numpy as np

from finsam.diagnosis.model import Check
from finsam.precision import footing_step, round_half_away


@dataclass
class MovingProblem:
    """The solver of a problem in which some figures move: column k is the k-th moving figure."""

    solver: highspy.Highs
    col: dict[str, int]        # moving figure -> its column
    x: Callable[[str], float]  # a figure's printed value, normalised
    span: Callable[[int], float]  # how far the figure of a column may move, in either direction

    def add_row(self, lo: float, hi: float, idx: list[int], val: list[float]) -> None:
        self.solver.addRow(lo, hi, len(idx), np.array(idx, np.int32), np.array(val, float))

    def add_integer(self, bound: float) -> int:
        column = self.solver.getNumCol()
        self.solver.addCol(0.0, -bound, bound, 0, np.array([], np.int32), np.array([], float))
        self.solver.changeColIntegrality(column, highspy.HighsVarType.kInteger)
        return column


def strict_margin(tolerance: float) -> float:
    """What a strict inequality (a difference less than the tolerance) gives up as a solver row."""
    return max(tolerance, 1e-9) * 1e-7


class Form:
    def enters_problem(self, check: Check) -> bool:
        return True

    def explainers(self, check: Check, holds: Callable[[frozenset], bool]) -> list[str]:
        """The figures of which one must move to make the failing check hold."""
        return [f for f, c in check.terms if c]

    def claim(self, check: Check) -> str | None:
        """The printed claim a blamed figure of the same check may take the place of."""
        return None

    def is_own_cause(self, check: Check) -> bool:
        """A failing check no printed figure stands for: its own cause, outside the problem."""
        return not self.enters_problem(check)

    def terms_from_warehouse(self, terms: list[tuple[str, float]], fact_ids: list[str]) -> list[tuple[str, float]]:
        return terms

    def add_rows(self, problem: MovingProblem, check: Check) -> None:
        raise NotImplementedError


class Interval(Form):
    """|Σ c·y| < tolerance (tie-out, roll-forward, equation, funding rule, restatement)."""

    def add_rows(self, problem: MovingProblem, check: Check) -> None:
        free = [(problem.col[f], c) for f, c in check.terms if f in problem.col]
        constant = sum(c * problem.x(f) for f, c in check.terms if f not in problem.col)
        margin = strict_margin(check.tolerance)
        problem.add_row(-check.tolerance + margin - constant, check.tolerance - margin - constant,
                        [i for i, _ in free], [c for _, c in free])


class Footing(Form):
    """Each term rounded to the footing's step (an integer r per moving term, y within half a step of s·r);
    the rounded terms must sum exactly."""

    def add_rows(self, problem: MovingProblem, check: Check) -> None:
        step = footing_step(check.tolerance)
        constant = sum(c * round_half_away(problem.x(f) / step) for f, c in check.terms if f not in problem.col)
        rounded = []
        for f, c in check.terms:
            if f not in problem.col:
                continue
            i = problem.col[f]
            r = problem.add_integer(problem.span(i) / step + 1)
            # the moving value lies in the rounding cell of r: s·r − s/2 <= y < s·r + s/2
            problem.add_row(-step / 2, step / 2 - step * 1e-9, [i, r], [1.0, -step])
            rounded.append((r, c))
        problem.add_row(-0.5 + 1e-9 - constant, 0.5 - 1e-9 - constant, [r for r, _ in rounded],
                        [c for _, c in rounded])


class Range(Form):
    """The printed value stays within its line's bounds."""

    def add_rows(self, problem: MovingProblem, check: Check) -> None:
        (f, c), = [(f, c) for f, c in check.terms if f in problem.col]
        inf = highspy.kHighsInf
        problem.add_row(-inf if check.lower is None else check.lower, inf if check.upper is None else check.upper,
                        [problem.col[f]], [c])


class Claim(Form):
    """A printed ratio against its figures: not linear. Its first term is the printed claim; its figures
    follow with coefficient 0 (they may explain it, but state no row). A printed goal status has no
    terms: it is its own cause, outside the problem."""

    def enters_problem(self, check: Check) -> bool:
        return bool(check.terms)

    def claim(self, check: Check) -> str | None:
        return check.terms[0][0] if check.terms else None

    def explainers(self, check: Check, holds: Callable[[frozenset], bool]) -> list[str]:
        """Blamed on the printed claim, and on its figures only where no printable claim fits them (a claim
        out of its own range): otherwise every ratio would open a search through the tables behind it."""
        if not holds(frozenset([self.claim(check)])):
            return [f for f, _ in check.terms]
        return [f for f, c in check.terms if c]

    def terms_from_warehouse(self, terms: list[tuple[str, float]], fact_ids: list[str]) -> list[tuple[str, float]]:
        if not terms:
            return terms
        return terms + [(f, 0.0) for f in fact_ids if f not in {t for t, _ in terms}]

    def add_rows(self, problem: MovingProblem, check: Check) -> None:
        # a failing ratio whose figures stay put: its printed claim must move into the range they allow (a
        # moving figure changes the ratio in a way no linear row states: it is let be)
        claim = self.claim(check)
        if check.passed or [f for f, _ in check.terms if f in problem.col] != [claim]:
            return
        margin = strict_margin(check.tolerance)
        problem.add_row(check.rhs_value - check.tolerance + margin, check.rhs_value + check.tolerance - margin,
                        [problem.col[claim]], [1.0])

    def claim_interval(self, check: Check) -> tuple[float, float]:
        """The values the printed claim may take: where no projection exists, the claim's own range."""
        return check.rhs_value - check.tolerance, check.rhs_value + check.tolerance


FORMS: dict[str, Form] = {"interval": Interval(), "footing": Footing(), "range": Range(), "claim": Claim()}
