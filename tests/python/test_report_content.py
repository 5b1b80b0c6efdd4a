"""What the report says is true: the stages of a published run, numbers as Swedish readers write them (raw in
JSON), chart colours that match their legend."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

from finsam.run.report_content import format_number
from finsam.run.report_html import charts

NNBSP, MINUS = "\u202f", "\u2212"


def test_numbers_are_written_the_swedish_way():
    assert format_number(-1493.9, "kr") == f"{MINUS}1{NNBSP}493,9 kr"
    assert format_number(15.8, "%") == "15,8 %"
    assert format_number(12499887, "kr") == f"12{NNBSP}499{NNBSP}887 kr"
    assert format_number(-471931.0, "kr") == f"{MINUS}471{NNBSP}931 kr"


def test_the_published_runs_report_says_what_happened(pristine):
    report = (pristine.reports_dir / "published").resolve()
    page = (report / "index.html").read_text(encoding="utf-8")
    stages = page[page.index("<h2>Stages</h2>"):]
    for stage in ("validate", "dbt build", "gx", "report", "publish"):
        assert f"<td>{stage}</td><td>ok</td>" in stages, stage
    summary = (report / "summary.md").read_text(encoding="utf-8")
    assert f"| 471{NNBSP}931 kr | {MINUS}471{NNBSP}931 kr |" in summary
    raw = json.loads((report / "result.json").read_text(encoding="utf-8"))
    assert any(c["lhs_value"] == 471931 and c["rhs_value"] == -471931 for c in raw["checks"])


def test_budget_bars_are_coloured_as_their_legend_says():
    rows = [{"org_id": "o", "fiscal_year": 2023, "name_en": name, "budget_cost_tkr": budget, "actual_cost_tkr": actual,
             "favourable": actual < budget}
            for name, budget, actual in (("on budget", 20, 20), ("under", 500, 495), ("over", 250, 697))]
    result = SimpleNamespace(charts={"intervention_deviation": rows})
    ((_, chart),) = charts(result, "o", first=False)
    traces = {t["name"]: t for t in json.loads(chart[chart.index("[{"):chart.index("}],") + 2])}
    assert list(traces["Actual, within budget"]["x"]) == [20, 495, None]
    assert list(traces["Actual, over budget"]["x"]) == [None, None, 697]
    assert traces["Actual, within budget"]["marker"]["color"] == "#2a9d8f"
    assert traces["Actual, over budget"]["marker"]["color"] == "#e76f51"


def test_the_charts_import_nothing_the_run_did_not_import_while_dbt_built(pristine):
    """The nightly run imports the charts' modules in the background (import_charts) while dbt builds: drawing
    every chart of the published run afterwards imports no further plotly module (in a new process, where
    nothing else imported plotly before)."""
    draw = """
import json, sys
from types import SimpleNamespace
from finsam.run.report_html import charts, import_charts
import_charts()
before = set(sys.modules)
result = SimpleNamespace(charts=json.load(open(sys.argv[1], encoding="utf-8"))["charts"])
drawn = charts(result, "sf_vasteras", first=True)
print(json.dumps([len(drawn), sorted(m for m in set(sys.modules) - before if m.startswith(("plotly", "_plotly")))]))
"""
    done = subprocess.run([sys.executable, "-c", draw, str(pristine.reports_dir / "published" / "result.json")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [3, []]
