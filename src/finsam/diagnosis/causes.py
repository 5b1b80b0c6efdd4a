"""Per association: the causes of its failing checks, their explanations, and the rows of marts.diagnoses."""

from __future__ import annotations

import math

from finsam.diagnosis.forms import FORMS
from finsam.diagnosis.model import TIE, Cause, Check, Explanation, Figure, check_refs
from finsam.diagnosis.search import MAX_ALTERNATIVE_PROPOSALS, MAX_MASTER_NODES, OrgProblem
from finsam.diagnosis.slips import KIND_WORDS, KINDS, Context, classify

# How many explanations of one cause are listed (every tie is listed, up to MAX_TIED: a table whose
# lines are all equally likely names each of them), and how much dearer than the best they may be.
MAX_ALTERNATIVES = 6


MAX_TIED = 60


ALTERNATIVE_WEIGHT_MARGIN = 1.0


DIAGNOSIS_COLUMNS = [
    "cause_id", "cause_rank", "tied", "org_id", "report_year", "fiscal_year", "statement", "line_id", "measure",
    "label_printed", "printed_value", "implied_value", "unit", "kind", "check_ids", "n_checks", "n_figures", "weight",
    "erratum_blames", "agrees_with_erratum", "sentence", "source_ref", "fact_id",
]


def diagnose_org(org_id: str, figures: dict[str, Figure], checks: list[Check], weights: dict[str, float],
                 context: Context, errata: dict[tuple[str, int], str]) -> list[dict]:
    failing = [c for c in checks if not c.passed]
    if not failing:
        return []
    problem = OrgProblem(figures, checks, weights)
    causes: list[Cause] = []
    best = problem.search(problem.failing) if problem.failing else frozenset()
    best = problem.release_claims(best) if best is not None else None
    if best is None and problem.gave_up:
        return [figureless_row(f"{org_id}#1", org_id, failing[0], check_refs(failing), [], (
            f"The diagnosis gave up: finding the fewest figures that explain these {len(failing)} checks took "
            f"more than {MAX_MASTER_NODES} steps of its search. Many figures may be wrong at once (a table read "
            "wrong?): look at the failing checks."))]
    if best is None:
        causes.append(Cause([problem.checks[k] for k in problem.failing], [Explanation([], math.inf)]))
    else:
        for part, check_indices in _causes_of(problem, best):
            cause = Cause([problem.checks[k] for k in check_indices],
                          [Explanation(sorted(part), sum(weights[f] for f in part))])
            cause.others = best - part
            _alternatives(problem, cause, check_indices, cause.others)
            causes.append(cause)
    causes += [Cause([c], [Explanation([], 0.0)]) for c in failing if FORMS[c.form].is_own_cause(c)]
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
    check_ids = check_refs(cause.checks)
    blames = sorted({errata[(c.check_id, c.fiscal_year)] for c in cause.checks
                     if (c.check_id, c.fiscal_year) in errata})
    described = []
    for explanation in (e for e in cause.explanations if e.figures):
        pinned: dict[str, float] = {}
        figs = []
        for fact_id in explanation.figures:
            fig = figures[fact_id]
            claim = next((c for c in cause.checks if FORMS[c.form].claim(c) == fact_id), None)
            interval = problem.projection(fact_id, explanation.figures, pinned) or problem.projection(
                fact_id, set(explanation.figures) | cause.others, pinned)
            if interval is None and claim is not None:
                interval = FORMS[claim.form].claim_interval(claim)
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
        rows.append(figureless_row(cause_id, org_id, cause.checks[0], check_ids, blames))
    return rows


def figureless_row(cause_id: str, org_id: str, check: Check, check_ids: list[dict], blames: list[str],
                    sentence: str | None = None) -> dict:
    """A cause no printed figure stands for: a goal status, or checks no change of figures satisfies."""
    status = FORMS[check.form].is_own_cause(check)
    sentence = sentence or (f"The printed goal status is the claim at fault: {check.rule}." if status else
                            "No change of printed figures makes these checks hold together: "
                            + ", ".join(f"{c['check_id']} {c['fiscal_year']}" for c in check_ids) + ".")
    return {"cause_id": cause_id, "cause_rank": 1, "tied": False, "org_id": org_id, "report_year": None,
            "fiscal_year": check.fiscal_year, "statement": "GOAL" if status else None,
            "line_id": check.goal_id if status else None,
            "measure": "status" if status else None, "label_printed": None, "printed_value": None,
            "implied_value": None, "unit": None, "kind": "unexplained", "check_ids": check_ids,
            "n_checks": len(check_ids), "n_figures": 0, "weight": None, "erratum_blames": blames or None,
            "agrees_with_erratum": None, "sentence": sentence, "source_ref": None, "fact_id": None}


def _sentence(fig: Figure, kind: str, implied: float | None, check_ids: list[dict], rank: int, tied: bool,
              n_tied: int) -> str:
    where = f"{fig.statement} {fig.label} {fig.fiscal_year} (the {fig.report_year} report)"
    value = f"printed {_figure_text(fig.value, fig.decimals)} {fig.unit}"
    would = f", {_figure_text(implied, fig.decimals)} {fig.unit} would make" if implied is not None else ", changing it makes"
    n = len(check_ids)
    lead = ("Preferred explanation" if rank == 1 else f"Alternative {rank - 1}") + (
        f" (tied with {n_tied - 1} other{'s' if n_tied > 2 else ''} of equal weight)" if tied else "")
    look = f" (look at {fig.source_ref})" if kind == "misread" else ""
    return (f"{lead}: {where} is {value}{would} {'its check' if n == 1 else f'its {n} checks'} hold; "
            f"{KIND_WORDS[kind]}{look}.")


def _figure_text(value: float, decimals: int) -> str:
    text = f"{value:,.{max(decimals, 0)}f}".replace(",", " ")
    return text.replace("-", "−")
