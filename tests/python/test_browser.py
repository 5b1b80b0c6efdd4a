"""The report and the Data Docs in a real browser — headless Chromium from Debian's package, driven by
Playwright — with no network: no request leaves the machine, no console error, no horizontal overflow; the
verdict, the charts and a known figure are on screen."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (make test installs it)")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                                reason="Chromium is not installed: apt-get install chromium (.ci/run installs it)")
NNBSP = "\u202f"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def visit(page_file: Path) -> dict:
    """Open a page offline; what it requested outside, what it logged as errors, whether it overflows."""
    outside, errors = [], []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        def route(route):
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", route)
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        seen = {"outside": outside, "errors": errors, "text": page.inner_text("body"),
                "overflow": page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"),
                "charts": page.locator(".plotly-graph-div .main-svg").count(),
                # a cell whose content is wider than the cell runs into its neighbour
                "overlapping_cells": page.evaluate("Array.from(document.querySelectorAll('td')).filter("
                                                   "td => td.scrollWidth > td.clientWidth + 1).length"),
                "links": [a.get_attribute("href") for a in page.locator("a").all()],
                "images": page.evaluate("Array.from(document.images).map(i => [i.naturalWidth, i.naturalHeight])")}
        browser.close()
    return seen


def test_the_report_works_offline_and_shows_the_verdict_charts_and_figures(pristine):
    report = (pristine.reports_dir / "published").resolve()
    seen = visit(report / "index.html")
    assert seen["outside"] == [] and seen["errors"] == [] and not seen["overflow"], seen
    assert seen["overlapping_cells"] == 0
    assert "PASS" in seen["text"] and "Known errata of the published report (19)" in seen["text"]
    assert seen["charts"] >= 3
    assert f"12{NNBSP}499{NNBSP}887 kr" in seen["text"]


def test_the_data_docs_work_offline_and_list_every_suite(pristine):
    docs = (pristine.reports_dir / "published").resolve() / "data_docs"
    seen = visit(docs / "index.html")
    assert seen["outside"] == [] and seen["errors"] == [] and not seen["overflow"], seen
    suites = sorted(p.stem for p in (pristine.root / "expectations").glob("*.json"))
    assert all(name in seen["text"] for name in suites)
    validation = next(link for link in seen["links"] if link.startswith("validations/"))
    detail = visit(docs / validation)
    assert detail["outside"] == [] and detail["errors"] == [], detail


def test_the_review_page_shows_each_item_with_a_crop_of_its_scanned_page(tmp_path):
    """review.html of a scanned report: each review item, and for a figure read by OCR the band of its page
    around it, offline; a label that looks like markup is shown as text."""
    from fpdf import FPDF

    from finsam.ingest.model import ReviewItem
    from finsam.ingest.review_page import review_page
    from finsam.synthetic.scan import Scanner, scan

    pdf = FPDF(format="A4", unit="pt")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.text(60, 120, "Summa insatser")
    pdf.text(340, 120, "1 284 567")
    pdf.output(str(tmp_path / "page.pdf"))
    scan(tmp_path / "page.pdf", tmp_path / "report.pdf", Scanner(dpi=150))
    hostile = '<img src=x onerror="alert(1)">Summa'
    items = [ReviewItem("misread", "5 Driftsredovisning (page 1, box 340,111,391,121 pt)", "Summa insatser",
                        value="1284567", implied_value="1234567", unit="kr", fiscal_year="2023",
                        rule="the checks hold at 1 234 567 kr"),
             ReviewItem("unmapped_label", "5 Driftsredovisning (page 1)", hostile, "12", rule="no line has this label")]
    (tmp_path / "review.html").write_text(review_page(items, tmp_path / "report.pdf"), encoding="utf-8")
    seen = visit(tmp_path / "review.html")
    assert seen["outside"] == [] and seen["errors"] == [] and not seen["overflow"], seen
    assert seen["overlapping_cells"] == 0
    # one crop: the page's width at 150 dpi, the row's height and a margin either side
    [(width, height)] = seen["images"]
    assert abs(width - 595.28 * 150 / 72) <= 2 and 60 < height < 90
    assert f"1{NNBSP}284{NNBSP}567" not in seen["text"] and "1\u00a0284\u00a0567 kr" in seen["text"]
    assert "checks hold at 1\u00a0234\u00a0567" in seen["text"] and hostile in seen["text"]
