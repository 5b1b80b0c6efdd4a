"""The same report as PDF and as Word, made by LibreOffice (not by finsam), ingests to the same facts as
the text, with every number accounted for."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from finsam.ingest import ingest
from test_ingest import REPORT

SOFFICE = shutil.which("soffice")
FILTERS = {"pdf": "pdf:writer_web_pdf_Export", "docx": "docx:MS Word 2007 XML"}


def report_as_html(text: str) -> str:
    """The text report as a plain HTML page: headings, tables (one cell per tab-separated cell), paragraphs."""
    out, in_table = [], False
    for line in text.splitlines():
        if "\t" in line:
            if not in_table:
                out.append("<table border='1'>")
                in_table = True
            out.append("<tr>" + "".join(f"<td>{html.escape(re.sub(r'<[^>]+>', '', c))}</td>" for c in line.split("\t")) + "</tr>")
            continue
        if in_table:
            out.append("</table>")
            in_table = False
        heading = re.match(r"^(#{1,6})\s+(.*)", line)
        words = html.escape(re.sub(r"<[^>]+>|\*\*|\*", "", heading[2] if heading else line)).strip()
        if words:
            out.append(f"<h{len(heading[1])}>{words}</h{len(heading[1])}>" if heading else f"<p>{words}</p>")
    return "<html><head><meta charset='utf-8'></head><body>" + "\n".join(out) + "</body></html>"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    if SOFFICE is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui; .ci/run installs it)")
    folder = tmp_path_factory.mktemp("rendered")
    page = folder / "report.html"
    page.write_text(report_as_html(REPORT.read_text(encoding="utf-8")), encoding="utf-8")
    for kind, export in FILTERS.items():
        subprocess.run([SOFFICE, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                        "--convert-to", export, "--outdir", str(folder), str(page)],
                       check=True, capture_output=True, timeout=180)
    return {kind: folder / f"report.{kind}" for kind in FILTERS}


def figures(result) -> dict:
    return {(f["statement"], f["line_id"], f["measure"], f["fiscal_year"]):
            (Decimal(f["value"]), f["unit"], f["decimals"], f["label_printed"]) for f in result.facts}


@pytest.mark.parametrize("kind", sorted(FILTERS))
def test_the_report_made_by_libreoffice_ingests_to_the_same_facts(project, rendered, kind):
    expected = figures(ingest(project, REPORT, "sf_vasteras", 2023))
    result = ingest(project, rendered[kind], "sf_vasteras", 2023)
    assert figures(result) == expected
    assert len(expected) == 371
    assert result.coverage["unexplained"] == 0 and result.coverage["unmapped rows"] == 0
    where = next(f["source_ref"] for f in result.facts if f["statement"] == "NOT5")
    assert ("page " in where) if kind == "pdf" else ("table " in where), where
