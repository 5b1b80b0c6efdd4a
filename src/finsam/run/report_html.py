"""The run report as an offline HTML page: templates/report.html (autoescaped Jinja) with plotly charts."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from finsam.run.report_content import (
    VERDICT_TEXT,
    by_org,
    causes,
    describe_test_failure,
    diagnosis_headline,
    figure_name,
    format_figure,
    format_number,
    org_heading,
    shown_checks,
)
from finsam.run.results import RunResult

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


def import_charts() -> None:
    """Draw, unseen, a figure of each kind that charts draws: plotly imports the modules of a figure, and loads
    its template, the first time one is drawn (about a tenth of a second), which the nightly run does while
    dbt builds."""
    import plotly.graph_objects as go

    figure = go.Figure([go.Bar(x=[1], y=["a"], orientation="h", marker_color="#000", offsetgroup="a"),
                        go.Scatter(x=[1], y=[1], mode="lines+markers", error_y=dict(type="data", array=[0]),
                                   marker=dict(size=1, symbol="x"), text=["a"])])
    figure.update_layout(title="a", xaxis=dict(title="a", dtick=1), yaxis_title="a", legend_orientation="h",
                         margin=dict(l=0))
    figure.to_html(full_html=False, include_plotlyjs=False)


def charts(result: RunResult, org_id: str, first: bool) -> list[tuple[str, str]]:
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


TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True,
                        undefined=StrictUndefined, keep_trailing_newline=True)
TEMPLATES.filters["number"] = format_number


def html_page(result: RunResult, data_docs: bool) -> str:
    """The page of one run; every value of the data reaches it through the template's escaping."""
    shown = shown_checks(result)

    def grouped(status: str) -> list[tuple[str, list[dict]]]:
        return [(org_heading(result, org_id), rows)
                for org_id, rows in by_org([c for c in shown if c["status"] == status]).items()]

    cause_blocks = []
    for cause_id, preferred, cause_checks, n_alternatives in causes(result):
        tied = any(d["tied"] for d in preferred)
        disagree = [d for d in preferred if d["agrees_with_erratum"] is False][:1]
        cause_blocks.append({
            "cause_id": cause_id,
            "note": (f" · {n_alternatives} alternative{'s' if n_alternatives != 1 else ''}"
                     f"{', tied in weight' if tied else ''}" if n_alternatives else ""),
            "erratum_blames": disagree[0]["erratum_blames"] if disagree else None,
            "rows": [{"figure": figure_name(d), "printed": format_figure(d["printed_value"]),
                      "implied": format_figure(d["implied_value"]), "unit": d["unit"] or "",
                      "kind": d["kind"].replace("_", " "), "sentence": d["sentence"]} for d in preferred],
            "explains": ", ".join(f"{c['check_id']} {c['fiscal_year']} ({c['status']})" for c in cause_checks),
        })
    chart_orgs = sorted({r["org_id"] for rows in result.charts.values() for r in rows})
    org_charts = [(org_heading(result, org_id), [Markup(chart) for _, chart in charts(result, org_id, first=(k == 0))])
                  for k, org_id in enumerate(chart_orgs)]
    return TEMPLATES.get_template("report.html").render(
        result=result, css=Markup(CSS), verdict_text=VERDICT_TEXT[result.verdict],
        problems=[vars(p) | {"where": p.location()} for p in result.problems],
        readings=[vars(p) | {"where": p.location()} for p in result.readings],
        only_org=org_heading(result, result.org_filter) if result.org_filter else None,
        hidden=[c for c in result.checks if c["org_id"] != result.org_filter] if result.org_filter else [],
        headline=diagnosis_headline(result), causes=cause_blocks,
        failing=grouped("fail"), failing_count=sum(c["status"] == "fail" for c in shown),
        known=grouped("known"), known_count=sum(c["status"] == "known" for c in shown),
        dbt_failures=[{"what": describe_test_failure(t), "status": t.status} for t in result.dbt_failures],
        failed_expectations=[dict(suite=s.name, **vars(e) | {"unexpected_orgs": ", ".join(e.unexpected_orgs)})
                             for s in result.suites for e in s.expectations if not e.success],
        charts=[(heading, shown_charts) for heading, shown_charts in org_charts if shown_charts],
        suites=[{"name": s.name, "description": s.description, "rows": s.n_rows,
                 "result": "pass" if s.success else f"fail ({s.n_failed})", "expectations": len(s.expectations)}
                for s in result.suites],
        data_docs=data_docs, stages=[vars(s) for s in result.stages])
