"""The localisation problem of one association, solved with HiGHS as an implicit hitting-set problem."""

from __future__ import annotations

import os
import sys

import highspy
import numpy as np

from finsam.diagnosis.forms import FORMS, MovingProblem
from finsam.diagnosis.model import TIE, Check, Figure

# Proposals the master may make in one search before it gives up (each is tested by a small problem):
# the first search of an association, and each search for a further alternative.
MAX_PROPOSALS = 200


MAX_ALTERNATIVE_PROPOSALS = 25


# Branch-and-bound nodes a master problem may take before the search gives up. A report with a few slips
# is solved at the root or close to it; a scan read badly (18 failing checks, many figures off) made each
# master a hard hitting-set problem, a second each and more as the cuts grew, for minutes. Nodes, not time:
# the same data gives the same diagnosis on any machine.
MAX_MASTER_NODES = 1000


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
        self.checks = [c for c in checks if c.form in FORMS and FORMS[c.form].enters_problem(c)]
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
        self.gave_up = False   # a master problem needed more than MAX_MASTER_NODES
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
        h = quiet_solver()
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
            h.setOptionValue("mip_max_nodes", MAX_MASTER_NODES)
            h.run()
            status = h.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                self.gave_up = self.gave_up or status != highspy.HighsModelStatus.kInfeasible
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
        """The figures of which one must move to make failing check k hold (its form says which).
        `release_claims` lets a figure blamed anyway take a ratio claim's place."""
        check = self.checks[k]
        return FORMS[check.form].explainers(check, self.holds)

    def release_claims(self, blamed: frozenset) -> frozenset:
        """Blamed ratio claims whose failure a blamed figure of the same ratio already explains, dropped."""
        for k in self.failing:
            check = self.checks[k]
            claim = FORMS[check.form].claim(check)
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
        h = quiet_solver()
        col = {}
        for f in moving:
            value = pinned.get(f)
            x, reach = self.figures[f].x, self.reach[f]
            lo, hi = (value, value) if value is not None else (x - reach, x + reach)
            cost = objective[1] if objective and objective[0] == f else 0.0
            col[f] = h.getNumCol()
            h.addCol(cost, lo, hi, 0, np.array([], np.int32), np.array([], float))
        problem = MovingProblem(h, col, lambda f: self.figures[f].x,
                                lambda i: abs(self.figures[moving[i]].x) + self.reach[moving[i]])
        for k in self._checks_of(moving) if only is None else only:
            check = self.checks[k]
            FORMS[check.form].add_rows(problem, check)
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


def quiet_solver():
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
