"""Errors planted on purpose: one inconsistency of each rule family (with every check instance it must
make fail), and the typing slips a person makes (sign, unit, digits, rounding, another figure).
"""

from __future__ import annotations

import random

from finsam.precision import round_half_away
from finsam.synthetic.ledger import FACT_COLUMNS

# One plant per rule family: (family, edits to facts of the association's last report, expected failures).
# An edit is (fiscal_year offset, statement, line_id, measure, delta); a line in braces is one of the
# association's own: {receivable} its first receivable, {admin_a} and {admin_b} its first two own Note 3
# administrative items.
PLANTS = [
    ("calculation", [(0, "NOT4", "{receivable}", "amount", 1000)],
     [("calc.NOT4.summa.amount:lines", 0)]),
    ("tie_out", [(0, "NOT4", "{receivable}", "amount", 1000), (0, "NOT4", "summa", "amount", 1000)],
     [("receivables:not4", 0)]),
    ("rollforward", [(0, "BR", "foregaende_arsresultat", "amount", 1000), (0, "BR", "ovrigt_eget_kapital", "amount", -1000)],
     [("annual_result:br_next_year", -1), ("br_other_equity_rollforward", 0), ("closing_equity:br_year_after_next", -2)]),
    ("text_claim", [(0, "NARR", "admin_utfall", "amount", 1)], [("admin_costs:narr", 0)]),
    ("funding_rule", [(0, "NOT2", "driftbidrag_kommun", "amount", -1000), (0, "NOT2", "driftbidrag_region", "amount", 1000)],
     [("funding_rule.municipality", 0), ("funding_rule.region", 0)]),
    ("ratio_claim", [(0, "FYO", "soliditet", "amount", 3)], [("soliditet", 0)]),
    ("goal_status", [], [("goal.kunskap_lokala", 0)]),
    # last year's comparatives reclassified between two Note 3 lines: only the reprint disagrees
    ("restatement", [(-1, "NOT3", "{admin_a}", "amount", -1000), (-1, "NOT3", "{admin_b}", "amount", 1000)],
     [("restatement.NOT3.{admin_a}.amount:{report_year}", -1), ("restatement.NOT3.{admin_b}.amount:{report_year}", -1)]),
]


def plant_lines(chart) -> dict[str, str]:
    """The association's own lines a plant names: what {receivable}, {admin_a} and {admin_b} stand for."""
    own_admin = [line for line, (label, _) in chart.admin.items() if label]
    return {"receivable": next(iter(chart.receivables)), "admin_a": own_admin[0], "admin_b": own_admin[1]}


SLIP_KINDS = ("sign_flip", "unit_mislabel", "digit_transposition", "digit_typo", "dropped_or_doubled_digit",
              "rounding", "other_figure")


SLIP_COLUMNS = ["org_id", "report_year", "fiscal_year", "statement", "line_id", "measure", "kind", "true_value",
                "printed_value"]


def plant_slip(rng: random.Random, rows: list[list], kind: str, taken: set) -> list | None:
    """Change one figure of a report as a person slips when typing it; the ground-truth row, or None.

    The figure is of the report's own year or the year before; `taken` holds figures already changed.
    """
    col = {name: i for i, name in enumerate(FACT_COLUMNS)}

    def key(r):
        return tuple(r[col[c]] for c in ("fiscal_year", "statement", "line_id", "measure"))

    report_year = rows[0][col["report_year"]]
    pool = [r for r in rows if r[col["fiscal_year"]] >= report_year - 1 and key(r) not in taken
            and r[col["unit"]] in ("kr", "tkr") and abs(r[col["value"]]) >= 100 and r[col["decimals"]] == 0]
    if kind == "rounding":
        # a line's net in the operating report, which Note 3 prints in kronor: the rounding shows
        pool = [r for r in pool if r[col["statement"]] == "DR" and r[col["measure"]] == "actual_net"]
    if kind == "unit_mislabel":
        pool = [r for r in pool if r[col["unit"]] == "kr" and abs(r[col["value"]]) >= 10_000]
    rng.shuffle(pool)
    for row in pool:
        value = int(row[col["value"]])
        sign, digits = (-1 if value < 0 else 1), str(abs(value))
        printed, unit, decimals = value, row[col["unit"]], 0
        if kind == "sign_flip":
            printed = -value
        elif kind == "unit_mislabel":  # thousands printed with the unit of kronor: '−1 493,9 kr'
            printed, decimals = round_half_away(value / 100) / 10, 1
        elif kind == "digit_transposition":
            spots = [k for k in range(len(digits) - 1) if digits[k] != digits[k + 1] and not (k == 0 and digits[1] == "0")]
            if not spots:
                continue
            k = rng.choice(spots)
            printed = sign * int(digits[:k] + digits[k + 1] + digits[k] + digits[k + 2:])
        elif kind == "digit_typo":
            k = rng.randrange(len(digits))
            choices = [d for d in "0123456789" if d != digits[k] and not (k == 0 and d == "0")]
            printed = sign * int(digits[:k] + rng.choice(choices) + digits[k + 1:])
        elif kind == "dropped_or_doubled_digit":
            k = rng.randrange(len(digits))
            changed = digits[:k] + digits[k + 1:] if rng.random() < 0.5 else digits[:k + 1] + digits[k:]
            if changed.startswith("0"):
                continue
            printed = sign * int(changed)
        elif kind == "rounding":
            printed = value + rng.choice((-1, 1))
        elif kind == "other_figure":
            others = sorted({int(r[col["value"]]) for r in rows if r[col["unit"]] == unit and abs(r[col["value"]]) >= 100
                             and r[col["decimals"]] == 0} - {value, -value})
            if not others:
                continue
            printed = rng.choice(others)
        if printed == value and decimals == 0:
            continue
        row[col["value"]], row[col["unit"]], row[col["decimals"]] = printed, unit, decimals
        taken.add(key(row))
        return [row[col["org_id"]], report_year, *key(row), kind, value, printed]
    return None


def apply_plant(k: int, rows: list[list], statuses: dict[str, str], year: int, chart) -> tuple[list[list], dict[str, str]]:
    family, edits, _ = PLANTS[k]
    for offset, statement, line_id, measure, delta in edits:
        line_id = line_id.format(**plant_lines(chart))
        hits = [r for r in rows if (r[2], r[3], r[4], r[5]) == (year + offset, statement, line_id, measure)]
        assert len(hits) == 1, (family, statement, line_id)
        value = FACT_COLUMNS.index("value")
        hits[0][value] = hits[0][value] + delta
    if family == "goal_status":
        statuses = dict(statuses, kunskap_lokala="delvis uppfyllt" if statuses["kunskap_lokala"] == "uppfyllt" else "uppfyllt")
    return rows, statuses
