"""The run report: an offline HTML page, a Markdown summary, JSON and JUnit XML.

Every run writes reports/runs/<run id>/ (prepared in reports/.staging/ and moved in one rename);
reports/latest points at the newest run and reports/published at the run whose warehouse is published.
What the report says is report_content; its formats are report_html (a template) and report_text.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from finsam.project import Project
from finsam.run import publish
from finsam.run.report_html import html_page
from finsam.run.report_text import junit, markdown
from finsam.run.results import RunResult

KEEP_RUNS = 30


def staging_dir(project: Project, run_id: str) -> Path:
    path = project.reports_dir / ".staging" / run_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_report(project: Project, result: RunResult) -> str:
    out = staging_dir(project, result.run_id)
    result.stage("report").status = "ok"  # this report is what the stage does: it is written now
    result.stage("report").detail = "this report"
    result.report_dir = str(project.reports_dir / "runs" / result.run_id)
    (out / "result.json").write_text(json.dumps(result.to_dict(), indent=2, default=str, ensure_ascii=False), encoding="utf-8")
    (out / "summary.md").write_text(markdown(result), encoding="utf-8")
    (out / "junit.xml").write_text(junit(result), encoding="utf-8")
    (out / "index.html").write_text(html_page(result, (out / "data_docs" / "index.html").exists()), encoding="utf-8")
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
