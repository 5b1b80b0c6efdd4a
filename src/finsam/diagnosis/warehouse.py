"""The diagnosis read from the warehouse's relations (the dbt Python model marts.diagnoses calls it)."""

from __future__ import annotations

from finsam.diagnosis.causes import diagnose_org, figureless_row
from finsam.diagnosis.forms import FORMS
from finsam.diagnosis.model import Check, Figure, check_refs
from finsam.diagnosis.slips import Context, equal_elsewhere, finer


def diagnose_relations(checks, facts, ranges, weight_rules, units, errata) -> list[dict]:
    """Every association's diagnosis from the warehouse relations (DuckDB relations of dbt refs).

    Only associations with a failing check are read in full; a consistent association costs nothing.
    """
    failing_orgs = checks.filter("status <> 'pass' and form is not null").aggregate("org_id").set_alias("failing")
    if not failing_orgs.limit(1).fetchall():
        return []
    check_rows = checks.join(failing_orgs, "org_id").filter("form is not null").project(
        "org_id, check_id, check_family, fiscal_year, form, terms, fact_ids, tolerance, rhs_value, status, rule, "
        "goal_id").fetchall()
    fact_rows = facts.join(failing_orgs, "org_id").project(
        "org_id, fact_id, report_year, fiscal_year, statement, line_id, measure, label_printed, "
        "cast(value as double), unit, decimals, sign, base_unit, "
        "line_kind, source_ref, cast(confidence as double)").fetchall()
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
         sign, base_unit, line_kind, source_ref, confidence) in fact_rows:
        figures_by_org.setdefault(org, {})[fact_id] = Figure(
            fact_id, report_year, fiscal_year, statement, line_id, measure, label, value, unit, decimals,
            factor_of[unit], sign, base_unit, line_kind, source_ref, confidence)
    checks_by_org: dict[str, list[Check]] = {}
    for org, check_id, family, fiscal_year, form, terms, fact_ids, tolerance, rhs_value, status, rule, goal_id in check_rows:
        lower, upper = bounds.get((org, check_id, fiscal_year), (None, None))
        terms = [(t["fact_id"], t["coefficient"]) for t in terms or []]
        terms = FORMS[form].terms_from_warehouse(terms, fact_ids)
        checks_by_org.setdefault(org, []).append(Check(
            check_id, family, fiscal_year, form, terms, tolerance, lower, upper, rhs_value, status == "pass", rule,
            goal_id))
    out: list[dict] = []
    for org in sorted(checks_by_org):
        figures = figures_by_org.get(org, {})
        org_checks = checks_by_org[org]
        weights = figure_weights(figures, org_checks, rules)
        context = Context(by_base, finer(figures, org_checks), equal_elsewhere(figures))
        try:
            out += diagnose_org(org, figures, org_checks, weights, context, blames.get(org, {}))
        except Exception as error:  # one association's diagnosis must not stop the warehouse: say so in its row
            failing = [c for c in org_checks if not c.passed]
            out.append(figureless_row(f"{org}#1", org, failing[0], check_refs(failing), [],
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
    doubt = table.get(("reading", "doubt"), 0.0)
    return {f: table.get(("figure", ""), 1.0) + table.get(("line_kind", fig.line_kind), 0.0)
            + table.get(("statement", fig.statement), 0.0) + confirmations.get(f, 0.0)
            + (doubt * (100 - fig.confidence) / 100 if fig.confidence is not None else 0.0)
            for f, fig in figures.items()}
