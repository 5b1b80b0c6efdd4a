"""The run report: an offline HTML page, a Markdown summary, JSON and JUnit XML.

Every run writes reports/runs/<run id>/ (prepared in reports/.staging/ and moved in one rename);
reports/latest points at the newest run and reports/published at the run whose warehouse is published.
"""

from __future__ import annotations

import html
import json
import os
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

from finsam.project import Project
from finsam.run import publish
from finsam.run.results import RunResult
from finsam.safe_text import markdown_text, xml_text

VERDICT_TEXT = {
    "pass": "PASS — every check agrees, or fails only as a registered erratum",
    "fail": "FAIL — a new inconsistency or a failed test; the previous warehouse stays published",
    "error": "ERROR — the run could not complete; the previous warehouse stays published",
}
KEEP_RUNS = 30


def describe_test_failure(test) -> str:
    """A failing dbt test as a person reads it: the file it checks, the column, the offending rows."""
    where = test.tested_file or ("a unit test" if test.resource_type == "unit_test" else "the project")
    column = f" ({test.tested_column})" if test.tested_column else ""
    rows = "; ".join(", ".join(f"{k}={v}" for k, v in row.items()) for row in test.offending_rows)
    found = f"{test.failures} offending row(s)" if test.failures else test.message
    return f"{where}{column}: {test.test_kind or test.name} fails — {found}" + (f": {rows}" if rows else "")


def staging_dir(project: Project, run_id: str) -> Path:
    path = project.reports_dir / ".staging" / run_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def _fmt(value, unit: str | None = None) -> str:
    """A number as Swedish readers write it: narrow no-break spaces between thousands, a decimal comma, the
    minus sign U+2212 ('−1 493,9 kr', '15,8 %'). The raw values stay in result.json."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (int, float)):
        return _swedish(value, f"{abs(value):,.1f}" if isinstance(value, float) else f"{abs(value):,}", unit)
    return str(value)


def _fmt_figure(value, unit: str | None = None) -> str:
    """A printed or implied figure with the decimals it needs (up to three), formatted as _fmt."""
    if value is None:
        return ""
    return _swedish(value, f"{abs(value):,.3f}".rstrip("0").rstrip("."), unit)


def _swedish(value, digits: str, unit: str | None) -> str:
    """Python's '1,234.5' of abs(value) as '1 234,5' with U+2212 for a negative value, and the unit."""
    text = ("\u2212" if value < 0 else "") + digits.replace(",", "\u202f").replace(".", ",")
    return f"{text} {unit}".strip() if unit else text


def _table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label in columns)
    body = []
    for row in rows:
        cells = "".join(f"<td>{html.escape(_fmt(row.get(key)))}</td>" for key, _ in columns)
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _checks_table(rows: list[dict], status: str) -> str:
    """One block per check: the figures on one line, the explanation and source beneath it."""
    head = ("<tr><th>check</th><th>year</th><th>figure</th><th>value</th><th>compared with</th><th>value</th>"
            "<th>difference</th><th>tolerance</th><th>severity</th></tr>")
    body = []
    for r in rows:
        unit = r.get("unit")
        body.append(
            f"<tr class='status-{status} figures'><td><code>{html.escape(r['check_id'])}</code>"
            f"<br><span class='org'>{html.escape(r['org_id'])}</span></td>"
            f"<td>{r['fiscal_year']}</td><td>{html.escape(r['lhs_label'] or '')}</td>"
            f"<td class='num'>{html.escape(_fmt(r['lhs_value'], unit))}</td><td>{html.escape(r['rhs_label'] or '')}</td>"
            f"<td class='num'>{html.escape(_fmt(r['rhs_value'], unit))}</td>"
            f"<td class='num'>{html.escape(_fmt(r['difference'], unit))}</td>"
            f"<td class='num'>{html.escape(_fmt(r['tolerance'], unit))}</td><td>{html.escape(r['severity'])}</td></tr>"
            f"<tr class='status-{status} explain'><td colspan='9'><b>Rule:</b> {html.escape(r['rule'] or '')}."
            + (f" <b>Why:</b> {html.escape(r['erratum_reason'])}" if r.get("erratum_reason") else "")
            + f"<br><span class='source'>Source: {html.escape(r['source_ref'] or '')}</span></td></tr>")
    widths = "".join(f"<col style='width:{w}%'>" for w in (15, 5, 18, 10, 18, 10, 9, 9, 6))
    return f"<table class='checks'><colgroup>{widths}</colgroup><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"


def _charts(result: RunResult, org_id: str, first: bool) -> list[tuple[str, str]]:
    """(title, html) of each chart of one association; the page's first chart carries plotly.js inline so
    the page works offline."""
    import plotly.graph_objects as go

    def of_org(name: str) -> list[dict]:
        return [r for r in result.charts.get(name, []) if r["org_id"] == org_id]

    figures: list[tuple[str, go.Figure]] = []
    deviation = of_org("intervention_deviation")
    if deviation:
        year = max(r["fiscal_year"] for r in deviation)
        rows = [r for r in deviation if r["fiscal_year"] == year]
        names = [r["name_en"] for r in rows]
        over = [r["actual_cost_tkr"] > r["budget_cost_tkr"] for r in rows]

        def actual(name: str, colour: str, shown: bool) -> go.Bar:
            # one trace per colour, in the same slot, so that the legend names each colour
            return go.Bar(name=name, y=names, x=[r["actual_cost_tkr"] if o == shown else None for r, o in zip(rows, over)],
                          orientation="h", marker_color=colour, offsetgroup="actual")

        fig = go.Figure([
            go.Bar(name="Budget", y=names, x=[r["budget_cost_tkr"] for r in rows], orientation="h",
                   marker_color="#9db4c0", offsetgroup="budget"),
            actual("Actual, within budget", "#2a9d8f", False),
            actual("Actual, over budget", "#e76f51", True),
        ])
        fig.update_layout(barmode="group", height=120 + 38 * len(rows), xaxis_title="tkr",
                          legend_orientation="h", margin=dict(l=10, r=10, t=30, b=10),
                          separators=",\u202f", title=f"Budget vs actual per intervention {year}")
        figures.append(("Budget vs actual per intervention", fig))
    equity = [r for r in of_org("equity_rollforward") if r["closing_equity_kr"] is not None]
    if equity:
        fig = go.Figure(go.Scatter(
            x=[r["fiscal_year"] for r in equity], y=[r["closing_equity_kr"] / 1e6 for r in equity], mode="lines+markers",
            error_y=dict(type="data", array=[r["closing_equity_precision_kr"] / 1e6 for r in equity], visible=True),
            text=[f"{r['closing_equity_source']}<br>roll-forward: {r['rollforward_status'] or 'n/a'}" for r in equity],
            marker=dict(size=9, color=["#e76f51" if r["rollforward_status"] in ("known", "fail") else "#264653"
                                       for r in equity]),
            name=f"Closing equity {org_id}"))
        fig.update_layout(height=380, separators=",\u202f", yaxis_title="Mkr", xaxis_title="fiscal year", margin=dict(l=10, r=10, t=30, b=10),
                          title="Equity at year end (error bars: printed precision; red: roll-forward does not close)")
        figures.append(("Equity roll-forward", fig))
    shares = of_org("admin_share")
    if shares:
        years = [r["fiscal_year"] for r in shares]
        series = [("share_of_contributions_operating_report_pct", "of contributions (operating report)"),
                  ("share_of_costs_operating_report_pct", "of costs (operating report)"),
                  ("share_of_contributions_note3_pct", "of contributions (Note 3)"),
                  ("share_of_costs_note3_pct", "of costs (Note 3)"),
                  ("claimed_share_pct", "claimed in the report")]
        fig = go.Figure([go.Scatter(x=years, y=[r[key] for r in shares], mode="lines+markers", name=label,
                                    marker=dict(size=14, symbol="x") if key == "claimed_share_pct" else None)
                         for key, label in series])
        fig.update_layout(height=380, separators=",\u202f", yaxis_title="%", xaxis=dict(title="fiscal year", dtick=1),
                          margin=dict(l=10, r=10, t=30, b=10), title="Administration cost share")
        figures.append(("Administration share", fig))
    return [(title, fig.to_html(full_html=False, include_plotlyjs=(first and i == 0)))
            for i, (title, fig) in enumerate(figures)]


def _org_heading(result: RunResult, org_id: str) -> str:
    name = result.org_names.get(org_id)
    return f"{name} ({org_id})" if name else org_id


def _by_org(rows: list[dict]) -> dict[str, list[dict]]:
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


def _causes(result: RunResult) -> list[tuple[str, list[dict], list[dict], int]]:
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


def _figure_name(d: dict) -> str:
    if not d["statement"]:
        return "no single figure"
    return f"{d['statement']} {d['label_printed'] or d['line_id']} {d['fiscal_year']}"


def shown_checks(result: RunResult) -> list[dict]:
    """The non-passing checks the report shows: every association's, or the one of --org."""
    return [c for c in result.checks if result.org_filter is None or c["org_id"] == result.org_filter]


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1200px;color:#222;padding:0 1rem}
h1{margin-bottom:.2rem} .meta{color:#666;margin-top:0}
.verdict{padding:1rem 1.2rem;border-radius:8px;font-size:1.25rem;font-weight:600;margin:1rem 0}
.pass{background:#e3f4ec;border:2px solid #2a9d8f}.fail{background:#fdebe6;border:2px solid #e76f51}.error{background:#fff3cd;border:2px solid #d4a017}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem;font-size:.88rem}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f6f8} tr.status-fail td{background:#fdebe6} tr.status-known td{background:#fff8e6}
table.checks{table-layout:fixed} table.checks td{overflow-wrap:anywhere} table.checks tr.figures td{border-bottom:none;padding-top:.6rem} table.checks tr.explain td{font-size:.85rem;color:#444;padding-bottom:.6rem}
td.num{text-align:right} .source{color:#777;font-size:.8rem} .org{color:#555;font-size:.8rem} code{font-size:.8rem}
.counts span{display:inline-block;margin-right:1.2rem;font-size:1.05rem}
"""


def _html(result: RunResult, data_docs: bool) -> str:
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>finsam nightly run {result.run_id}</title>"
             f"<style>{CSS}</style></head><body>",
             "<h1>finsam — nightly accounting-consistency check</h1>",
             f"<p class='meta'>Run {html.escape(result.run_id)} · started {html.escape(result.started_at)}"
             f"{' · warehouse published: ' + html.escape(result.warehouse) if result.published else ' · nothing published'}</p>",
             f"<div class='verdict {result.verdict}'>{html.escape(VERDICT_TEXT[result.verdict])}<br>"
             f"<span style='font-weight:400;font-size:1rem'>{html.escape(result.message)}</span></div>"]
    if result.status_counts:
        parts.append("<p class='counts'>" + "".join(
            f"<span><b>{result.status_counts.get(k, 0)}</b> {k}</span>" for k in ("pass", "known", "fail")) + "</p>")
    if result.problems:
        parts.append("<h2>Input problems (nothing was built)</h2>")
        parts.append(_table([vars(p) | {"where": p.location()} for p in result.problems],
                            [("where", "file:line:column"), ("value", "value"), ("message", "what to do")]))
    checks = shown_checks(result)
    if result.org_filter:
        hidden = [c for c in result.checks if c["org_id"] != result.org_filter]
        parts.append(f"<p>This report shows {html.escape(_org_heading(result, result.org_filter))} only (--org). "
                     f"Every association was checked: {len(hidden)} non-passing check(s) of other associations, "
                     f"{sum(c['status'] == 'fail' for c in hidden)} of them failing, are not shown.</p>")
    failing = [c for c in checks if c["status"] == "fail"]
    known = [c for c in checks if c["status"] == "known"]
    headline = diagnosis_headline(result)
    if headline:
        parts.append(f"<h2>Diagnosis: {html.escape(headline)}</h2>"
                     "<p>The smallest set of printed figures whose change makes every check hold (marts.diagnoses), "
                     "one cause per group of checks they explain, with the kind of slip each figure shows. "
                     "Alternatives of equal or near weight are in marts.diagnoses (cause_rank 2…).</p>")
        for cause_id, preferred, cause_checks, n_alternatives in _causes(result):
            rows = [{"figure": _figure_name(d), "printed": _fmt_figure(d["printed_value"]),
                     "implied": _fmt_figure(d["implied_value"]),
                     "unit": d["unit"] or "", "kind": d["kind"].replace("_", " "), "sentence": d["sentence"]}
                    for d in preferred]
            tied = any(d["tied"] for d in preferred)
            note = (f" · {n_alternatives} alternative{'s' if n_alternatives != 1 else ''}"
                    f"{', tied in weight' if tied else ''}" if n_alternatives else "")
            disagree = [d for d in preferred if d["agrees_with_erratum"] is False][:1]
            parts.append(f"<h3>{html.escape(cause_id)}{html.escape(note)}</h3>")
            if disagree:
                parts.append("<p><b>Disagrees with the registered erratum</b>, which blames "
                             + html.escape(", ".join(disagree[0]["erratum_blames"])) + ".</p>")
            parts.append(_table(rows, [("figure", "printed figure"), ("printed", "printed"), ("implied", "implied"),
                                       ("unit", "unit"), ("kind", "kind of slip"), ("sentence", "diagnosis")]))
            parts.append("<p class='source'>Explains: " + html.escape(", ".join(
                f"{c['check_id']} {c['fiscal_year']} ({c['status']})" for c in cause_checks)) + "</p>")

    def grouped_checks(rows: list[dict], status: str) -> None:
        groups = _by_org(rows)
        for org_id, org_rows in groups.items():
            if len(groups) > 1:
                parts.append(f"<h3>{html.escape(_org_heading(result, org_id))} ({len(org_rows)})</h3>")
            parts.append(_checks_table(org_rows, status))

    if failing:
        parts.append(f"<h2>Failing checks ({len(failing)})</h2>")
        grouped_checks(failing, "fail")
    if result.dbt_failures:
        parts.append(f"<h2>Failing dbt tests ({len(result.dbt_failures)})</h2>")
        parts.append(_table([{"what": describe_test_failure(t), "status": t.status} for t in result.dbt_failures],
                            [("what", "file (column): test — offending rows"), ("status", "status")]))
    if result.not_built:
        parts.append("<p>Not built (skipped after a failing test): " + html.escape(", ".join(result.not_built)) + "</p>")
    failed_expectations = [dict(suite=s.name, **vars(e) | {"unexpected_orgs": ", ".join(e.unexpected_orgs)})
                           for s in result.suites for e in s.expectations if not e.success]
    if failed_expectations:
        parts.append(f"<h2>Failing Great Expectations ({len(failed_expectations)})</h2>")
        parts.append(_table(failed_expectations, [("suite", "suite"), ("expectation_type", "expectation"),
                                                  ("column", "column"), ("description", "protects"),
                                                  ("unexpected_count", "unexpected"), ("unexpected_orgs", "associations"),
                                                  ("unexpected_examples", "examples")]))
    if known:
        parts.append(f"<h2>Known errata of the published report ({len(known)})</h2>"
                     "<p>These inconsistencies are in the signed report itself. Each is registered with its two figures "
                     "in <code>seeds/reference/known_errata.csv</code>; if either figure changes, the check fails again.</p>")
        grouped_checks(known, "known")
    chart_orgs = sorted({r["org_id"] for rows in result.charts.values() for r in rows})
    for k, org_id in enumerate(chart_orgs):
        charts = _charts(result, org_id, first=(k == 0))
        if charts:
            parts.append(f"<h2>Charts — {html.escape(_org_heading(result, org_id))}</h2>")
            parts.extend(f"<div>{chart}</div>" for _, chart in charts)
    if result.suites:
        parts.append("<h2>Great Expectations suites</h2>")
        parts.append(_table([{"name": s.name, "description": s.description, "rows": s.n_rows,
                              "result": "pass" if s.success else f"fail ({s.n_failed})",
                              "expectations": len(s.expectations)} for s in result.suites],
                            [("name", "suite"), ("description", "protects"), ("rows", "rows read"),
                             ("expectations", "expectations"), ("result", "result")]))
        if data_docs:
            parts.append("<p><a href='data_docs/index.html'>Great Expectations Data Docs</a> (validation details per "
                         "suite; offline, without GX's scripts and styling).</p>")
    if result.coverage:
        parts.append("<h2>Check coverage</h2><p>Share of facts that take part in at least one check. Facts no other "
                     "figure can confirm are listed with their reason in <code>marts.fact_coverage</code>.</p>")
        parts.append(_table(result.coverage, [("statement", "statement"), ("n_orgs", "associations"), ("n_facts", "facts"),
                                              ("n_covered", "checked"), ("coverage_share", "share"),
                                              ("n_unconfirmable", "unconfirmable (with reason)")]))
    parts.append("<h2>Stages</h2>")
    parts.append(_table([vars(s) for s in result.stages],
                        [("name", "stage"), ("status", "status"), ("seconds", "seconds"), ("detail", "detail")]))
    if result.readings:
        parts.append("<h2>Values read with a note</h2>")
        parts.append(_table([vars(p) | {"where": p.location()} for p in result.readings],
                            [("where", "file:line:column"), ("value", "value"), ("message", "read as")]))
    parts.append("</body></html>")
    return "\n".join(parts)


def _markdown(result: RunResult) -> str:
    lines = [f"# finsam nightly run {result.run_id}", "", f"**{VERDICT_TEXT[result.verdict]}**", "",
             markdown_text(result.message), ""]
    if result.status_counts:
        lines += ["| status | checks |", "|---|---|"] + [f"| {k} | {result.status_counts.get(k, 0)} |"
                                                       for k in ("pass", "known", "fail")] + [""]
    if result.org_filter:
        lines += [f"Showing {markdown_text(_org_heading(result, result.org_filter))} only; every association was "
                  "checked.", ""]
    headline = diagnosis_headline(result)
    if headline:
        lines += [f"## Diagnosis: {headline}", "", "| cause | printed figure | printed | implied | kind | checks explained |",
                  "|---|---|---|---|---|---|"]
        for cause_id, preferred, cause_checks, _ in _causes(result):
            explained = markdown_text(", ".join(f"{c['check_id']} {c['fiscal_year']}" for c in cause_checks))
            lines += [f"| {cause_id} | {markdown_text(_figure_name(d))} | {_fmt_figure(d['printed_value'], d['unit'])} | "
                      f"{_fmt_figure(d['implied_value'], d['unit'])} | {markdown_text(d['kind'].replace('_', ' '))} | {explained} |"
                      for d in preferred]
        lines.append("")
    for title, status in (("Failing checks", "fail"), ("Known errata", "known")):
        rows = [c for c in shown_checks(result) if c["status"] == status]
        if rows:
            lines += [f"## {title}", "", "| association | check | year | left | right | difference | tolerance |",
                      "|---|---|---|---|---|---|---|"]
            lines += [f"| {markdown_text(c['org_id'])} | {markdown_text(c['check_id'])} | {c['fiscal_year']} | "
                      f"{_fmt(c['lhs_value'], c['unit'])} | "
                      f"{_fmt(c['rhs_value'], c['unit'])} | {_fmt(c['difference'], c['unit'])} | "
                      f"{_fmt(c['tolerance'], c['unit'])} |" for c in rows]
            lines.append("")
    if result.problems:
        lines += ["## Input problems", ""] + [f"- {markdown_text(p)}" for p in result.problems] + [""]
    if result.dbt_failures:
        lines += ["## Failing dbt tests", ""] + [f"- {markdown_text(describe_test_failure(t))}"
                                                 for t in result.dbt_failures] + [""]
    lines += ["## Stages", "", "| stage | status | seconds |", "|---|---|---|"]
    lines += [f"| {s.name} | {s.status} | {s.seconds} |" for s in result.stages]
    return "\n".join(lines) + "\n"


def _junit(result: RunResult) -> str:
    root = ET.Element("testsuites", name=f"finsam {result.run_id}")

    def suite(name: str, cases: list[tuple[str, str | None, str | None]]) -> None:
        el = ET.SubElement(root, "testsuite", name=name, tests=str(len(cases)),
                           failures=str(sum(1 for _, f, _ in cases if f)))
        for case_name, failure, note in cases:  # values of the data, as XML 1.0 allows them
            case = ET.SubElement(el, "testcase", classname=f"finsam.{name}", name=xml_text(case_name))
            if failure:
                ET.SubElement(case, "failure", message=xml_text(failure[:200])).text = xml_text(failure)
            if note:
                ET.SubElement(case, "system-out").text = xml_text(note)

    suite("validation", [(str(p.location()), str(p), None) for p in result.problems] or [("seeds", None, None)])
    suite("dbt", [(t.name, describe_test_failure(t) if t.status in ("fail", "error") else None, None) for t in result.dbt_tests])
    suite("great_expectations", [(f"{s.name}.{e.expectation_type}.{e.column or 'table'}",
                                  None if e.success else f"{e.description}: {e.unexpected_count} unexpected"
                                  + (f" in {', '.join(e.unexpected_orgs)}" if e.unexpected_orgs else "")
                                  + f", e.g. {e.unexpected_examples}",
                                  None) for s in result.suites for e in s.expectations])
    suite("reconciliations", [(f"{c['org_id']}: {c['check_id']} {c['fiscal_year']}",
                               c["message"] if c["status"] == "fail" else None,
                               c["message"] if c["status"] == "known" else None) for c in shown_checks(result)])
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def write_report(project: Project, result: RunResult) -> str:
    out = staging_dir(project, result.run_id)
    result.stage("report").status = "ok"  # this report is what the stage does: it is written now
    result.stage("report").detail = "this report"
    result.report_dir = str(project.reports_dir / "runs" / result.run_id)
    (out / "result.json").write_text(json.dumps(result.to_dict(), indent=2, default=str, ensure_ascii=False), encoding="utf-8")
    (out / "summary.md").write_text(_markdown(result), encoding="utf-8")
    (out / "junit.xml").write_text(_junit(result), encoding="utf-8")
    (out / "index.html").write_text(_html(result, (out / "data_docs" / "index.html").exists()), encoding="utf-8")
    return f"report in {result.report_dir}"


def activate_report(project: Project, result: RunResult) -> None:
    """Move the staged report into runs/ and point latest (and published) at it; prune old runs."""
    staged = project.reports_dir / ".staging" / result.run_id
    if not staged.exists():
        return
    runs = project.reports_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    os.replace(staged, runs / result.run_id)
    publish.replace_symlink(project.reports_dir / "latest", f"runs/{result.run_id}")
    if result.published:
        publish.replace_symlink(project.reports_dir / "published", f"runs/{result.run_id}")
    keep = {os.path.realpath(project.reports_dir / name) for name in ("latest", "published")}
    for old in sorted(runs.iterdir())[:-KEEP_RUNS]:
        if os.path.realpath(old) not in keep:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in (project.reports_dir / ".staging").iterdir():
        if leftover.name != result.run_id:
            shutil.rmtree(leftover, ignore_errors=True)
