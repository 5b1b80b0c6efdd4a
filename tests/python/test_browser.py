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
                "links": [a.get_attribute("href") for a in page.locator("a").all()]}
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
