"""What the run report says, whatever its format: the verdict in words, numbers as Swedish readers write
them, the checks and causes shown (every association's, or the one of --org)."""

from __future__ import annotations

from finsam.run.results import RunResult

VERDICT_TEXT = {
    "pass": "PASS — every check agrees, or fails only as a registered erratum",
    "fail": "FAIL — a new inconsistency or a failed test; the previous warehouse stays published",
    "error": "ERROR — the run could not complete; the previous warehouse stays published",
}


def describe_test_failure(test) -> str:
    """A failing dbt test as a person reads it: the file it checks, the column, the offending rows."""
    where = test.tested_file or "the project"
    column = f" ({test.tested_column})" if test.tested_column else ""
    rows = "; ".join(", ".join(f"{k}={v}" for k, v in row.items()) for row in test.offending_rows)
    found = f"{test.failures} offending row(s)" if test.failures else test.message
    return f"{where}{column}: {test.test_kind or test.name} fails — {found}" + (f": {rows}" if rows else "")


def format_number(value, unit: str | None = None) -> str:
    """A number as Swedish readers write it: narrow no-break spaces between thousands, a decimal comma, the
    minus sign U+2212 ('−1 493,9 kr', '15,8 %'). The raw values stay in result.json."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (int, float)):
        return _swedish(value, f"{abs(value):,.1f}" if isinstance(value, float) else f"{abs(value):,}", unit)
    return str(value)


def format_figure(value, unit: str | None = None) -> str:
    """A printed or implied figure with the decimals it needs (up to three), formatted as format_number."""
    if value is None:
        return ""
    return _swedish(value, f"{abs(value):,.3f}".rstrip("0").rstrip("."), unit)


def _swedish(value, digits: str, unit: str | None) -> str:
    """Python's '1,234.5' of abs(value) as '1 234,5' with U+2212 for a negative value, and the unit."""
    text = ("\u2212" if value < 0 else "") + digits.replace(",", "\u202f").replace(".", ",")
    return f"{text} {unit}".strip() if unit else text


def org_heading(result: RunResult, org_id: str) -> str:
    name = result.org_names.get(org_id)
    return f"{name} ({org_id})" if name else org_id


def by_org(rows: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["org_id"], []).append(row)
    return grouped


def shown_diagnoses(result: RunResult) -> list[dict]:
    return [d for d in result.diagnoses if result.org_filter is None or d["org_id"] == result.org_filter]


def diagnosis_headline(result: RunResult) -> str | None:
    """'19 checks fail, explained by 11 printed figures (14 causes)' — or None when nothing fails."""
    checks = [c for c in shown_checks(result) if c.get("cause_id")]
    preferred = [d for d in shown_diagnoses(result) if d["cause_rank"] == 1]
    if not checks:
        return None
    figures = {(d["org_id"], d["report_year"], d["statement"], d["line_id"], d["measure"], d["fiscal_year"])
               for d in preferred if d["statement"]}
    causes = {d["cause_id"] for d in preferred}
    return (f"{len(checks)} check{'s' if len(checks) != 1 else ''} fail, explained by {len(figures)} printed "
            f"figure{'s' if len(figures) != 1 else ''} ({len(causes)} cause{'s' if len(causes) != 1 else ''})")


def causes(result: RunResult) -> list[tuple[str, list[dict], list[dict], int]]:
    """(cause id, preferred rows, its checks, number of alternatives) per cause, in cause order."""
    checks_of: dict[str, list[dict]] = {}
    for c in shown_checks(result):
        if c.get("cause_id"):
            checks_of.setdefault(c["cause_id"], []).append(c)
    out: dict[str, list] = {}
    for d in shown_diagnoses(result):
        entry = out.setdefault(d["cause_id"], [d["cause_id"], [], checks_of.get(d["cause_id"], []), 0])
        if d["cause_rank"] == 1:
            entry[1].append(d)
        entry[3] = max(entry[3], d["cause_rank"] - 1)
    return [tuple(v) for v in out.values()]


def figure_name(d: dict) -> str:
    if not d["statement"]:
        return "no single figure"
    return f"{d['statement']} {d['label_printed'] or d['line_id']} {d['fiscal_year']}"


def shown_checks(result: RunResult) -> list[dict]:
    """The non-passing checks the report shows: every association's, or the one of --org."""
    return [c for c in result.checks if result.org_filter is None or c["org_id"] == result.org_filter]
