"""The real report as it is published — made into PDF and Word by producers that are not finsam: LibreOffice
(from a web page with ruled tables, and from a Word file without borders), Chromium (printing a web page),
fpdf2 (plain columns without lines), and `pdftotext -layout` text of each borderless PDF — ingests to
exactly the facts of the text, every statement read and every number accounted for."""

from __future__ import annotations

import html
import random
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import built_once
from finsam.ingest import ingest
from finsam.synthetic.render import Style, render_documents, text_blocks
from test_ingest import REPORT

SOFFICE = shutil.which("soffice")
FILTERS = {"pdf": "pdf:writer_web_pdf_Export", "docx": "docx:MS Word 2007 XML"}
# renderings by finsam.synthetic.render with the producers people publish with, and the programs each needs
PRODUCED = {"plain.pdf": [], "browser.pdf": ["chromium"], "office.pdf": ["soffice"],
            "plain.layout.txt": ["pdftotext"], "browser.layout.txt": ["chromium", "pdftotext"],
            "office.layout.txt": ["soffice", "pdftotext"]}
PACKAGES = {"chromium": "chromium", "soffice": "libreoffice-writer-nogui", "pdftotext": "poppler-utils",
            "pdftoppm": "poppler-utils"}


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


def needs(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install "
                    f"{' '.join(PACKAGES[p] for p in missing)}; .ci/run installs them)")


def render_real_report(tmp_path_factory, kind: str) -> Path:
    """The real report in one of finsam.synthetic.render's kinds, with the producer that kind names: rendered
    once per session for every test that reads it."""
    needs(*PRODUCED.get(kind, []))

    def render(folder: Path) -> None:
        blocks = text_blocks(REPORT.read_text(encoding="utf-8"))
        render_documents([(blocks, Style.draw(random.Random(0)), folder / "report")], (kind,))

    return built_once(tmp_path_factory, f"real-report.{kind}", render) / f"report.{kind}"


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


def assert_read_exactly(project, document: Path) -> None:
    expected = figures(ingest(project, REPORT, "sf_vasteras", 2023))
    result = ingest(project, document, "sf_vasteras", 2023)
    got = figures(result)
    assert len(got) == len(result.facts), "one fact per key"
    missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
    different = {k: (expected[k], got[k]) for k in expected.keys() & got.keys() if expected[k] != got[k]}
    assert (missing, extra, different) == ([], [], {}), document.name
    assert len(expected) == 371
    assert result.coverage["unexplained"] == 0 and result.coverage["unmapped rows"] == 0
    assert [(s.statement, s.status) for s in result.statements if s.status != "read"] == []
    assert not result.needs_review


@pytest.mark.parametrize("kind", sorted(FILTERS))
def test_the_report_made_by_libreoffice_ingests_to_the_same_facts(project, rendered, kind):
    assert_read_exactly(project, rendered[kind])
    result = ingest(project, rendered[kind], "sf_vasteras", 2023)
    where = next(f["source_ref"] for f in result.facts if f["statement"] == "NOT5")
    assert ("page " in where) if kind == "pdf" else ("table " in where), where


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(PRODUCED))
def test_the_report_as_published_without_ruling_lines_ingests_to_the_same_facts(project, tmp_path_factory, kind):
    document = render_real_report(tmp_path_factory, kind)
    if kind.endswith(".pdf"):
        import pdfplumber

        with pdfplumber.open(document) as pdf:  # the producer drew no cell borders: positions alone
            assert pdf.pages and not any(page.find_tables() for page in pdf.pages), kind
    assert_read_exactly(project, document)
