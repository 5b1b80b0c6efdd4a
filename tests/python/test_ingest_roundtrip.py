"""Round trip: every report `finsam generate --render` writes — as text (tab-separated or space-aligned),
PDF with ruled tables, Word, and as published without ruling lines (fpdf2's plain columns, a web page
printed by Chromium, a Word file exported by LibreOffice, and `pdftotext -layout` text of each) — each with
its own drawn style, ingests back into exactly the facts the generator wrote, every statement read."""

from __future__ import annotations

import csv
import random
import shutil
from decimal import Decimal

import pytest

from finsam.generate import generate
from finsam.ingest import ingest
from finsam.render import KINDS, Style
from test_ingest_formats import PRODUCED, needs

TABLES = {"RR", "BR", "KFA", "DR", "NOT2", "NOT3", "NOT4", "NOT5", "FYO", "BKR"}
SEED = 3
ROUND_TRIPPED = ("txt", "pdf", "docx", *PRODUCED)


def render(folder, pristine, kind: str):
    """The seeded collection with its reports in one kind (the facts do not depend on the kinds)."""
    needs(*PRODUCED.get(kind, []))
    generate(folder, 3, 2, seed=SEED, file_format="csv", project=pristine, render=(kind,))
    with (folder / "facts.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def figures(facts) -> dict:
    return {(f["statement"], f["line_id"], f["measure"], f["fiscal_year"]):
            (Decimal(f["value"]), f["unit"], str(f["decimals"]), f["label_printed"]) for f in facts}


def test_the_sample_varies_the_way_reports_do(tmp_path, pristine):
    render(tmp_path, pristine, "txt")
    styles = [Style.draw(random.Random(f"{SEED}-{p.name.split('.')[0]}")) for p in (tmp_path / "renderings").glob("*.txt")]
    assert {s.aligned for s in styles} == {True, False}
    assert len({s.separator for s in styles}) >= 2 and len({s.minus for s in styles}) >= 2
    assert any(s.years_ascending for s in styles) and any(s.blank_lines for s in styles)
    assert any(s.note_column for s in styles) and len({s.split for s in styles}) >= 2


def test_every_kind_is_round_tripped():
    assert set(ROUND_TRIPPED) == set(KINDS) - {"html"}, "html is what Chromium prints, read as browser.pdf"


@pytest.mark.parametrize("kind", ROUND_TRIPPED)
def test_every_rendering_ingests_to_the_generated_facts(project, pristine, tmp_path, kind):
    facts = render(tmp_path, pristine, kind)
    documents = sorted((tmp_path / "renderings").glob(f"*.{kind}"))
    assert len(documents) == 6
    for document in documents:
        org_id, report_year = document.name.split(".")[0].split("-")
        printed = [f for f in facts if f["org_id"] == org_id and f["report_year"] == report_year]
        result = ingest(project, document, org_id, int(report_year), tmp_path / "label_variants.csv")
        assert figures(result.facts) == figures(f for f in printed if f["statement"] in TABLES), document.name
        assert not result.needs_review, [vars(i) for i in result.review
                                         if i.kind in ("unmapped_label", "unexplained", "statement_not_read")]
        assert {s.statement for s in result.statements if s.status == "read"} == TABLES, document.name
        candidates = {Decimal(i.value) for i in result.review if i.kind == "candidate"}
        assert {Decimal(f["value"]) for f in printed if f["statement"] in ("NARR", "GOAL")} <= candidates


def test_a_rendering_kind_that_needs_a_missing_producer_is_a_clear_error(tmp_path, pristine, monkeypatch):
    from finsam.render import MissingProducer

    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(MissingProducer, match="chromium is not installed: apt-get install chromium"):
        generate(tmp_path, 1, 1, seed=SEED, file_format="csv", project=pristine, render=("browser.pdf",))
