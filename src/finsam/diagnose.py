"""Diagnosis: which printed figures are wrong, and what kind of slip each is.

Error localisation in the Fellegi–Holt sense, per association: the minimum-weight set of printed
figures whose change makes every failing linear check hold while every passing one keeps passing,
each check at its own printed precision, solved with HiGHS as an implicit hitting-set problem
(OrgProblem): a binary master chooses figures, a small problem in which only they move tests them.
The check forms, as the warehouse writes them (int_reconciliations.form and .terms):

- interval (tie-out, roll-forward, equation, funding rule, restatement): |Σ c·y| < tolerance;
- footing (calculation tree): each term is rounded to the footing's precision first (an integer r per
  moving term, y within half a step of s·r), and the rounded terms must sum exactly;
- range (value_ranges): the printed value stays within its line's bounds;
- claim: a printed ratio that does not follow from its figures is not linear: its claim moves into the
  range the figures allow; only where no printable claim fits them must one of its figures move (their
  terms carry coefficient 0: they may explain the ratio but state no row), and a figure blamed anyway
  explains the ratio too. A printed goal status is text: it is its own cause.

Failing checks that the chosen figures explain together form one cause. For each cause the other
explanations are enumerated with no-good cuts, cheapest first: ties are all reported, never one picked
silently. Each blamed figure's feasible range (its projection, the other blamed figures free) is then
tested against the classic slips in order; the first that fits names the kind and the implied value.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field

import highspy
import numpy as np

from finsam.precision import footing_step, round_half_away, rounded_to

KINDS = ("sign_flip", "unit_mislabel", "digit_transposition", "rounding", "digit_typo",
         "dropped_or_doubled_digit", "other_figure", "unexplained")
# How many explanations of one cause are listed (every tie is listed, up to MAX_TIED: a table whose
# lines are all equally likely names each of them), and how much dearer than the best they may be.
MAX_ALTERNATIVES = 6
MAX_TIED = 60
ALTERNATIVE_WEIGHT_MARGIN = 1.0
# Proposals the master may make in one search before it gives up (each is tested by a small problem):
# the first search of an association, and each search for a further alternative.
MAX_PROPOSALS = 200
MAX_ALTERNATIVE_PROPOSALS = 25
TIE = 1e-6
DIAGNOSIS_COLUMNS = [
    "cause_id", "cause_rank", "tied", "org_id", "report_year", "fiscal_year", "statement", "line_id", "measure",
    "label_printed", "printed_value", "implied_value", "unit", "kind", "check_ids", "n_checks", "n_figures", "weight",
    "erratum_blames", "agrees_with_erratum", "sentence", "source_ref", "fact_id",
]


@dataclass
class Figure:
    fact_id: str
    report_year: int
    fiscal_year: int
    statement: str
    line_id: str
    measure: str
    label: str
    value: float          # as printed, in its unit
    unit: str
    decimals: int
    factor: float         # unit -> base unit
    sign: int             # base value -> normalised value
    base_unit: str
    line_kind: str
    source_ref: str

    @property
    def x(self) -> float:
        """Normalised value, the one the checks compare."""
        return self.value * self.factor * self.sign

    @property
    def grid(self) -> float:
        """One printed unit, normalised."""
        return self.factor / 10 ** self.decimals

    @property
    def key(self) -> str:
        return f"{self.statement}.{self.line_id}.{self.measure}:{self.fiscal_year}"

    def printed(self, normalised: float) -> float:
        return normalised / (self.factor * self.sign)


@dataclass
class Check:
    check_id: str
    family: str
    fiscal_year: int
    form: str                      # footing | interval | range | claim
    terms: list[tuple[str, float]]
    tolerance: float | None
    lower: float | None            # range bounds, printed base units
    upper: float | None
    rhs_value: float | None
    passed: bool
    rule: str

    @property
    def name(self) -> str:
        return f"{self.check_id} {self.fiscal_year}"


@dataclass
class Explanation:
    figures: list[str]             # fact ids
    weight: float


@dataclass
class Cause:
    checks: list[Check]
    explanations: list[Explanation] = field(default_factory=list)
    others: frozenset = frozenset()   # the figures the other causes blame


class OrgProblem:
    """The localisation problem of one association, solved as an implicit hitting-set problem.

    A master problem over binaries only (z_i: figure i is blamed) minimises the blamed weight subject to
    every failing check having a blamed figure. Each proposed set is tested by a small problem in which
    only the blamed figures move: the checks that touch them, at their printed precision (footings round
    each moving term with an integer). A set that cannot satisfy its own checks is cut off by the few
    checks that conflict: while their figures in the set move, another of their figures must move too.
    No big-M: the moving figures are free, so there is nothing for tolerances to leak through.
    """

    def __init__(self, figures: dict[str, Figure], checks: list[Check], weights: dict[str, float]):
        self.figures = figures
        self.weights = weights
        self.checks = [c for c in checks if c.form in ("footing", "interval", "range") or (c.form == "claim" and c.terms)]
        self.checks = [c for c in self.checks if all(f in figures for f, _ in c.terms)]
        self.touching: dict[str, list[int]] = {}
        for k, check in enumerate(self.checks):
            for f, coefficient in check.terms:
                # a ratio's figures (coefficient 0) may explain it, but are not tested against it
                if coefficient:
                    self.touching.setdefault(f, []).append(k)
        self.ids = sorted({f for c in self.checks for f, _ in c.terms})
        self.failing = [k for k, c in enumerate(self.checks) if not c.passed]
        # cuts learnt from proposals that could not hold: if every figure of `moving` moves, one of
        # `one_of` must move too (valid whatever else moves, so kept for every later search)
        self.cuts: list[tuple[frozenset, frozenset]] = []
        self._holds: dict[frozenset, bool] = {}
        scale: dict[str, float] = {}
        for fig in figures.values():
            scale[fig.base_unit] = max(scale.get(fig.base_unit, 0.0), abs(fig.x))
        # how far a figure may move: past a sign flip or a unit slip of the association's largest figure
        self.reach = {f: 10 * (scale[figures[f].base_unit] + 1000 * figures[f].grid) for f in self.ids}

    # -- the master ----------------------------------------------------------------------------------
    def _master(self, cover: list[int], cuts: list[tuple[frozenset, frozenset]], moving: frozenset,
                candidates: set | None, max_weight: float | None) -> tuple[highspy.Highs, list[str]]:
        """The hitting-set problem over the figures that appear in a row; every other figure stays put."""
        def allowed(f):
            return f in moving or candidates is None or f in candidates

        rows = [frozenset(f for f in self.explainers(k) if allowed(f)) for k in cover]
        active = set(moving).union(*rows)
        relevant: list[tuple[frozenset, frozenset]] = []
        pending = list(cuts)
        while True:
            # a cut whose moving side has a figure outside the problem is met by that figure staying put
            ready = [(m, o) for m, o in pending if m <= active]
            if not ready:
                break
            pending = [c for c in pending if not c[0] <= active]
            for m, o in ready:
                one_of = frozenset(f for f in o if allowed(f))
                relevant.append((m, one_of))
                active |= one_of
        ids = sorted(active)
        column = {f: i for i, f in enumerate(ids)}
        n = len(ids)
        h = _quiet_solver()
        lower = np.array([1.0 if f in moving else 0.0 for f in ids])
        h.addCols(n, np.array([self.weights[f] for f in ids]), lower, np.ones(n), 0,
                  np.array([], np.int32), np.array([], np.int32), np.array([], float))
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))
        for row in rows:
            idx = sorted(column[f] for f in row)
            h.addRow(1.0, highspy.kHighsInf, len(idx), np.array(idx, np.int32), np.ones(len(idx)))
        for m, one_of in relevant:
            idx = [column[f] for f in m] + [column[f] for f in one_of]
            val = [-1.0] * len(m) + [1.0] * len(one_of)
            h.addRow(1.0 - len(m), highspy.kHighsInf, len(idx), np.array(idx, np.int32), np.array(val, float))
        if max_weight is not None:
            blamed = sum(self.weights[f] for f in moving) + max_weight + TIE
            h.addRow(-highspy.kHighsInf, blamed, n, np.arange(n, dtype=np.int32), np.array([self.weights[f] for f in ids]))
        return h, ids

    def search(self, cover: list[int], also_moving: frozenset = frozenset(),
               excluded: list[frozenset] = (), candidates: set | None = None,
               max_proposals: int = MAX_PROPOSALS, max_weight: float | None = None) -> frozenset | None:
        """The cheapest set of figures that, with `also_moving`, makes every check hold; None if none.

        `cover`: the failing checks the set must explain. `excluded`: sets (and their supersets) not to
        propose again. `candidates`: the only figures that may be blamed (default: all). `max_weight`:
        the most the set may weigh (bounding the search is what keeps enumerating alternatives cheap).
        """
        no_goods = [(frozenset(e), frozenset()) for e in excluded]
        for _ in range(max_proposals):
            h, ids = self._master(cover, self.cuts + no_goods, also_moving, candidates, max_weight)
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            values = h.getSolution().col_value
            chosen = frozenset(f for f, v in zip(ids, values) if v > 0.5)
            failed = [part for part in self._parts(chosen) if not self.holds(part)]
            if not failed:
                return chosen - also_moving
            self.cuts += [self._conflict_cut(part) for part in failed]
        return None

    def _conflict_cut(self, part: frozenset) -> tuple[frozenset, frozenset]:
        """Why `part` cannot move alone, as a cut: (figures that move, figures of which one must move too).

        A deletion filter narrows the checks touching `part` to a minimal set that still cannot hold (a few
        checks of many): whenever exactly the same of their figures move, they cannot hold again, so
        another of their figures must move. Cutting on the conflicting checks rather than on every check
        the part touches is what lets the search skip the many sets that repeat one conflict.
        """
        conflict = self._checks_of(part)
        for k in list(conflict):
            rest = [j for j in conflict if j != k]
            if rest and self.solve_moving(part, only=rest) is None:
                conflict = rest
        # every figure of those checks, a ratio's too: which of them move decides the rows they make
        figures = {f for k in conflict for f, _ in self.checks[k].terms}
        return frozenset(figures & part), frozenset(figures - part)

    def explainers(self, k: int) -> list[str]:
        """The figures of which one must move to make failing check k hold.

        A ratio is blamed on its printed claim, and on its figures only where no printable claim fits
        them (a claim out of its own range): otherwise every ratio would open a search through the
        tables behind it. `release_claims` lets a figure blamed anyway take the claim's place.
        """
        check = self.checks[k]
        if check.form == "claim" and not self.holds(frozenset([check.terms[0][0]])):
            return [f for f, _ in check.terms]
        return [f for f, c in check.terms if c]

    def release_claims(self, blamed: frozenset) -> frozenset:
        """Blamed ratio claims whose failure a blamed figure of the same ratio already explains, dropped."""
        for k in self.failing:
            check = self.checks[k]
            claim = check.terms[0][0] if check.form == "claim" else None
            if claim in blamed and any(f in blamed for f, c in check.terms if not c):
                rest = blamed - {claim}
                if all(any(f in rest for f, _ in self.checks[j].terms) for j in self.failing) and all(
                        self.holds(part) for part in self._parts(rest)):
                    blamed = rest
        return blamed

    def holds(self, part: frozenset) -> bool:
        """Whether moving only `part` can make every check touching it hold (remembered)."""
        if part not in self._holds:
            self._holds[part] = self.solve_moving(part) is not None
        return self._holds[part]

    def _checks_of(self, moving) -> list[int]:
        return sorted({k for f in moving for k in self.touching.get(f, [])})

    def _parts(self, moving: frozenset) -> list[frozenset]:
        """Moving figures split into groups that share no check: each group can be tested alone."""
        parent = {f: f for f in moving}

        def find(f):
            while parent[f] != f:
                parent[f] = parent[parent[f]]
                f = parent[f]
            return f

        for k in self._checks_of(moving):
            inside = [f for f, c in self.checks[k].terms if c and f in parent]
            for f in inside[1:]:
                parent[find(f)] = find(inside[0])
        groups: dict[str, set] = {}
        for f in moving:
            groups.setdefault(find(f), set()).add(f)
        return [frozenset(g) for g in groups.values()]

    # -- the problem in which only some figures move -------------------------------------------------
    def solve_moving(self, moving, pinned: dict[str, float] | None = None,
                     objective: tuple[str, float] | None = None, only: list[int] | None = None) -> dict[str, float] | None:
        """Values of the moving figures that make every check touching them hold, or None.

        `pinned`: moving figures held at a value. `objective`: (figure, ±1) to minimise or maximise it.
        `only`: of the checks touching them, these alone.
        """
        moving = sorted(moving)
        pinned = pinned or {}
        h = _quiet_solver()
        inf = highspy.kHighsInf
        col = {}
        for f in moving:
            value = pinned.get(f)
            x, reach = self.figures[f].x, self.reach[f]
            lo, hi = (value, value) if value is not None else (x - reach, x + reach)
            cost = objective[1] if objective and objective[0] == f else 0.0
            col[f] = h.getNumCol()
            h.addCol(cost, lo, hi, 0, np.array([], np.int32), np.array([], float))

        def add_row(lo, hi, idx, val):
            h.addRow(lo, hi, len(idx), np.array(idx, np.int32), np.array(val, float))

        for k in self._checks_of(moving) if only is None else only:
            check = self.checks[k]
            free = [(col[f], c) for f, c in check.terms if f in col]
            fixed = [(self.figures[f].x, c) for f, c in check.terms if f not in col]
            if check.form == "interval":
                constant = sum(c * x for x, c in fixed)
                margin = _strict_margin(check.tolerance)
                add_row(-check.tolerance + margin - constant, check.tolerance - margin - constant,
                        [i for i, _ in free], [c for _, c in free])
            elif check.form == "footing":
                step = footing_step(check.tolerance)
                constant = sum(c * round_half_away(x / step) for x, c in fixed)
                rounded = []
                for i, c in free:
                    r = h.getNumCol()
                    span = (abs(self.figures[moving[i]].x) + self.reach[moving[i]]) / step + 1
                    h.addCol(0.0, -span, span, 0, np.array([], np.int32), np.array([], float))
                    h.changeColIntegrality(r, highspy.HighsVarType.kInteger)
                    # the moving value lies in the rounding cell of r: s·r − s/2 <= y < s·r + s/2
                    add_row(-step / 2, step / 2 - step * 1e-9, [i, r], [1.0, -step])
                    rounded.append((r, c))
                add_row(-0.5 + 1e-9 - constant, 0.5 - 1e-9 - constant, [r for r, _ in rounded], [c for _, c in rounded])
            elif check.form == "range":
                (i, c), = free
                add_row(-inf if check.lower is None else check.lower,
                        inf if check.upper is None else check.upper, [i], [c])
            elif (check.form == "claim" and not check.passed
                  and [f for f, _ in check.terms if f in col] == [check.terms[0][0]]):
                # a failing ratio whose figures stay put: its printed claim must move into the range they
                # allow (a moving figure changes the ratio in a way no linear row states: it is let be)
                margin = _strict_margin(check.tolerance)
                add_row(check.rhs_value - check.tolerance + margin, check.rhs_value + check.tolerance - margin,
                        [col[check.terms[0][0]]], [1.0])
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            return None
        values = h.getSolution().col_value
        return {f: values[col[f]] for f in moving}

    def projection(self, figure: str, moving, pinned: dict[str, float]) -> tuple[float, float] | None:
        """The range of values `figure` can take with `moving` free (and `pinned` held)."""
        ends = []
        for direction in (1.0, -1.0):
            solved = self.solve_moving(moving, pinned, (figure, direction))
            if solved is None:
                return None
            ends.append(solved[figure])
        return min(ends), max(ends)


def _strict_margin(tolerance: float) -> float:
    return max(tolerance, 1e-9) * 1e-7


# -- the kinds of slip -------------------------------------------------------------------------------
def _digits(fig: Figure) -> tuple[int, str]:
    scaled = round(abs(fig.value) * 10 ** fig.decimals)
    return (-1 if fig.value < 0 else 1), str(scaled)


def _from_digits(fig: Figure, sign: int, digits: str) -> float:
    return sign * int(digits) / 10 ** fig.decimals * fig.factor * fig.sign


def candidates(fig: Figure, kind: str, context: "Context") -> list[tuple[float, float]]:
    """(normalised value, half-width) of every value this kind of slip could have printed as fig."""
    sign, digits = _digits(fig)
    half = fig.grid / 2
    out: list[tuple[float, float]] = []
    if kind == "sign_flip" and fig.value != 0:
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
        for k in range(len(digits) + 1):
            for d in "0123456789":
                if not (k == 0 and d == "0"):
                    out.append((_from_digits(fig, sign, digits[:k] + d + digits[k:]), half))
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
    for kind in KINDS[:-1]:
        for value, half in candidates(fig, kind, context):
            if math.isnan(value):
                return kind, _nearest(fig, lo, hi)
            a, b = max(lo, value - half), min(hi, value + half)
            if a <= b + slack:
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


# -- per association -------------------------------------------------------------------------------
def diagnose_org(org_id: str, figures: dict[str, Figure], checks: list[Check], weights: dict[str, float],
                 context: Context, errata: dict[tuple[str, int], str]) -> list[dict]:
    failing = [c for c in checks if not c.passed]
    if not failing:
        return []
    problem = OrgProblem(figures, checks, weights)
    causes: list[Cause] = []
    best = problem.search(problem.failing) if problem.failing else frozenset()
    best = problem.release_claims(best) if best is not None else None
    if best is None:
        causes.append(Cause([problem.checks[k] for k in problem.failing], [Explanation([], math.inf)]))
    else:
        for part, check_indices in _causes_of(problem, best):
            cause = Cause([problem.checks[k] for k in check_indices],
                          [Explanation(sorted(part), sum(weights[f] for f in part))])
            cause.others = best - part
            _alternatives(problem, cause, check_indices, cause.others)
            causes.append(cause)
    causes += [Cause([c], [Explanation([], 0.0)]) for c in failing if c.form == "claim" and not c.terms]
    causes.sort(key=lambda c: min(ch.name for ch in c.checks))
    rows: list[dict] = []
    for number, cause in enumerate(causes, 1):
        rows += _cause_rows(f"{org_id}#{number}", org_id, cause, problem, figures, context, errata)
    return rows


def _causes_of(problem: OrgProblem, best: frozenset) -> list[tuple[frozenset, list[int]]]:
    """The blamed figures split into groups sharing no check, each with the failing checks it explains."""
    out = []
    for part in problem._parts(best):
        explained = [k for k in problem.failing if any(f in part for f, _ in problem.checks[k].terms)]
        if explained:
            out.append((part, explained))
    return out


def _alternatives(problem: OrgProblem, cause: Cause, check_indices: list[int], others: frozenset) -> None:
    """Other explanations of this cause's failing checks, cheapest first, the other causes held as found."""
    best = cause.explanations[0]
    excluded = [frozenset(best.figures)]
    # an alternative blames figures of the failing checks or their neighbours
    near = {f for k in check_indices for f, _ in problem.checks[k].terms}
    near |= {g for f in near for k in problem.touching.get(f, []) for g, _ in problem.checks[k].terms}
    while len(cause.explanations) < MAX_TIED:
        found = problem.search(check_indices, also_moving=others, excluded=excluded, candidates=near,
                               max_proposals=MAX_ALTERNATIVE_PROPOSALS,
                               max_weight=best.weight + ALTERNATIVE_WEIGHT_MARGIN)
        if found is None:
            break
        weight = sum(problem.weights[f] for f in found)
        if weight > best.weight + TIE and len(cause.explanations) >= MAX_ALTERNATIVES:
            break
        cause.explanations.append(Explanation(sorted(found), weight))
        excluded.append(found)


def _cause_rows(cause_id: str, org_id: str, cause: Cause, problem: OrgProblem, figures: dict[str, Figure],
                context: Context, errata: dict[tuple[str, int], str]) -> list[dict]:
    check_ids = sorted(c.name for c in cause.checks)
    blames = sorted({errata[(c.check_id, c.fiscal_year)] for c in cause.checks
                     if (c.check_id, c.fiscal_year) in errata})
    described = []
    for explanation in (e for e in cause.explanations if e.figures):
        pinned: dict[str, float] = {}
        figs = []
        for fact_id in explanation.figures:
            fig = figures[fact_id]
            claim = next((c for c in cause.checks if c.form == "claim" and c.terms and c.terms[0][0] == fact_id), None)
            interval = problem.projection(fact_id, explanation.figures, pinned) or problem.projection(
                fact_id, set(explanation.figures) | cause.others, pinned)
            if interval is None and claim is not None:
                interval = (claim.rhs_value - claim.tolerance, claim.rhs_value + claim.tolerance)
            kind, implied = classify(fig, interval, context) if interval else ("unexplained", math.nan)
            if not math.isnan(implied):
                pinned[fact_id] = implied
            figs.append((fig, kind, implied))
        described.append((explanation, figs))
    # cheapest first; among equal weights the more familiar slips (earlier in KINDS) first
    described.sort(key=lambda e: (round(e[0].weight / TIE), sum(KINDS.index(k) for _, k, _ in e[1]),
                                  [f.key for f, _, _ in e[1]]))
    best_weight = described[0][0].weight if described else math.inf
    n_tied = sum(abs(e[0].weight - best_weight) < TIE for e in described)
    rows = []
    for rank, (explanation, figs) in enumerate(described, 1):
        tied = abs(explanation.weight - best_weight) < TIE and n_tied > 1
        keys = {f.key for f, _, _ in figs}
        agrees = None if not blames else all(b in keys for b in blames)
        for fig, kind, implied in figs:
            # beyond the printed precision only as far as it says something
            implied_printed = round(fig.printed(implied), fig.decimals + 3) if not math.isnan(implied) else None
            rows.append({
                "cause_id": cause_id, "cause_rank": rank, "tied": tied, "org_id": org_id,
                "report_year": fig.report_year, "fiscal_year": fig.fiscal_year, "statement": fig.statement,
                "line_id": fig.line_id, "measure": fig.measure, "label_printed": fig.label,
                "printed_value": fig.value, "implied_value": implied_printed, "unit": fig.unit, "kind": kind,
                "check_ids": check_ids, "n_checks": len(check_ids), "n_figures": len(figs),
                "weight": explanation.weight, "erratum_blames": blames or None, "agrees_with_erratum": agrees,
                "sentence": _sentence(fig, kind, implied_printed, check_ids, rank, tied, n_tied),
                "source_ref": fig.source_ref, "fact_id": fig.fact_id,
            })
    if not cause.explanations or not cause.explanations[0].figures:
        rows.append(_figureless_row(cause_id, org_id, cause.checks[0], check_ids, blames))
    return rows


def _figureless_row(cause_id: str, org_id: str, check: Check, check_ids: list[str], blames: list[str],
                    sentence: str | None = None) -> dict:
    """A cause no printed figure stands for: a goal status, or checks no change of figures satisfies."""
    status = check.form == "claim" and not check.terms
    sentence = sentence or (f"The printed goal status is the claim at fault: {check.rule}." if status else
                            f"No change of printed figures makes these checks hold together: {', '.join(check_ids)}.")
    return {"cause_id": cause_id, "cause_rank": 1, "tied": False, "org_id": org_id, "report_year": None,
            "fiscal_year": check.fiscal_year, "statement": "GOAL" if status else None,
            "line_id": check.check_id.removeprefix("goal.") if status else None,
            "measure": "status" if status else None, "label_printed": None, "printed_value": None,
            "implied_value": None, "unit": None, "kind": "unexplained", "check_ids": check_ids,
            "n_checks": len(check_ids), "n_figures": 0, "weight": None, "erratum_blames": blames or None,
            "agrees_with_erratum": None, "sentence": sentence, "source_ref": None, "fact_id": None}


KIND_WORDS = {
    "sign_flip": "a sign flip", "unit_mislabel": "a unit mislabel", "digit_transposition": "two digits transposed",
    "rounding": "a rounding forced to make the table foot", "digit_typo": "a mistyped digit",
    "dropped_or_doubled_digit": "a dropped or doubled digit",
    "other_figure": "a figure that belongs to another line or year", "unexplained": "no recognised slip",
}


def _sentence(fig: Figure, kind: str, implied: float | None, check_ids: list[str], rank: int, tied: bool,
              n_tied: int) -> str:
    where = f"{fig.statement} {fig.label} {fig.fiscal_year} (the {fig.report_year} report)"
    value = f"printed {_plain(fig.value, fig.decimals)} {fig.unit}"
    would = f", {_plain(implied, fig.decimals)} {fig.unit} would make" if implied is not None else ", changing it makes"
    n = len(check_ids)
    lead = ("Preferred explanation" if rank == 1 else f"Alternative {rank - 1}") + (
        f" (tied with {n_tied - 1} other{'s' if n_tied > 2 else ''} of equal weight)" if tied else "")
    return (f"{lead}: {where} is {value}{would} {'its check' if n == 1 else f'its {n} checks'} hold; "
            f"{KIND_WORDS[kind]}.")


def _plain(value: float, decimals: int) -> str:
    text = f"{value:,.{max(decimals, 0)}f}".replace(",", " ")
    return text.replace("-", "−")


# -- reading the warehouse ---------------------------------------------------------------------------
def diagnose_relations(checks, facts, ranges, weight_rules, units, errata) -> list[dict]:
    """Every association's diagnosis from the warehouse relations (DuckDB relations of dbt refs).

    Only associations with a failing check are read in full; a consistent association costs nothing.
    """
    failing_orgs = checks.filter("status <> 'pass' and form is not null").aggregate("org_id").set_alias("failing")
    if not failing_orgs.limit(1).fetchall():
        return []
    check_rows = checks.join(failing_orgs, "org_id").filter("form is not null").project(
        "org_id, check_id, check_family, fiscal_year, form, terms, fact_ids, tolerance, rhs_value, status, rule").fetchall()
    fact_rows = facts.join(failing_orgs, "org_id").project(
        "org_id, fact_id, report_year, fiscal_year, statement, line_id, measure, label_printed, "
        "cast(value as double), unit, decimals, sign, base_unit, "
        "line_kind, source_ref").fetchall()
    bounds = {(r[0], r[1], r[2]): (r[3], r[4]) for r in ranges.join(failing_orgs, "org_id").project(
        "org_id, check_id, fiscal_year, min_value, max_value").fetchall()}
    unit_rows = units.project("unit, base_unit, cast(factor_to_base as double)").fetchall()
    factor_of = {u: f for u, _, f in unit_rows}
    by_base: dict[str, list[tuple[str, float]]] = {}
    for unit, base, factor in unit_rows:
        by_base.setdefault(base, []).append((unit, factor))
    blames: dict[str, dict[tuple[str, int], str]] = {}
    for org, check_id, fiscal_year, blamed in errata.project("org_id, check_id, fiscal_year, blames").fetchall():
        if blamed:
            blames.setdefault(org, {})[(check_id, fiscal_year)] = blamed
    rules = weight_rules.project("criterion, coalesce(value, ''), weight").fetchall()

    figures_by_org: dict[str, dict[str, Figure]] = {}
    for (org, fact_id, report_year, fiscal_year, statement, line_id, measure, label, value, unit, decimals,
         sign, base_unit, line_kind, source_ref) in fact_rows:
        figures_by_org.setdefault(org, {})[fact_id] = Figure(
            fact_id, report_year, fiscal_year, statement, line_id, measure, label, value, unit, decimals,
            factor_of[unit], sign, base_unit, line_kind, source_ref)
    checks_by_org: dict[str, list[Check]] = {}
    for org, check_id, family, fiscal_year, form, terms, fact_ids, tolerance, rhs_value, status, rule in check_rows:
        lower, upper = bounds.get((org, check_id, fiscal_year), (None, None))
        terms = [(t["fact_id"], t["coefficient"]) for t in terms or []]
        if form == "claim" and terms:
            # a ratio's figures, after its claim: coefficient 0, they enter no linear row
            terms += [(f, 0.0) for f in fact_ids if f not in {t for t, _ in terms}]
        checks_by_org.setdefault(org, []).append(Check(
            check_id, family, fiscal_year, form, terms, tolerance, lower, upper, rhs_value, status == "pass", rule))
    out: list[dict] = []
    for org in sorted(checks_by_org):
        figures = figures_by_org.get(org, {})
        org_checks = checks_by_org[org]
        weights = figure_weights(figures, org_checks, rules)
        context = Context(by_base, _finer(figures, org_checks), _equal_elsewhere(figures))
        try:
            out += diagnose_org(org, figures, org_checks, weights, context, blames.get(org, {}))
        except Exception as error:  # one association's diagnosis must not stop the warehouse: say so in its row
            failing = [c for c in org_checks if not c.passed]
            out.append(_figureless_row(f"{org}#1", org, failing[0], sorted(c.name for c in failing), [],
                                       f"The diagnosis failed ({type(error).__name__}: {error}); "
                                       "the checks are unaffected."))
    return out


def figure_weights(figures: dict[str, Figure], checks: list[Check], rules: list[tuple[str, str, float]]) -> dict[str, float]:
    """The cost of blaming each figure, from seeds/reference/diagnosis_weights.csv."""
    table = {(criterion, value): weight for criterion, value, weight in rules}
    confirmations: dict[str, float] = {}
    for check in checks:
        extra = table.get(("confirmed_by", check.family))
        if check.passed and extra:
            for fact_id, coefficient in check.terms:
                if coefficient:
                    confirmations[fact_id] = confirmations.get(fact_id, 0.0) + extra
    return {f: table.get(("figure", ""), 1.0) + table.get(("line_kind", fig.line_kind), 0.0)
            + table.get(("statement", fig.statement), 0.0) + confirmations.get(f, 0.0)
            for f, fig in figures.items()}


def _finer(figures: dict[str, Figure], checks: list[Check]) -> dict[str, bool]:
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


def _equal_elsewhere(figures: dict[str, Figure]) -> dict[str, str]:
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


def _quiet_solver():
    """A HiGHS instance that prints nothing. HiGHS 1.16 prints its banner while an instance is made, before
    an option can be set, straight to file descriptor 1 (an analyst's `dbt build -q` showed it): the
    descriptor points at /dev/null for that moment."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            solver = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    solver.setOptionValue("output_flag", False)
    return solver
