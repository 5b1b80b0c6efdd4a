"""Round trip: every report `finsam generate --render` writes as text (tab-separated or space-aligned), PDF
and Word, each with its own drawn style, ingests back into exactly the facts the generator wrote."""

from __future__ import annotations

import csv
import random
from decimal import Decimal

import pytest

from finsam.generate import generate
from finsam.ingest import ingest
from finsam.render import Style

TABLES = {"RR", "BR", "KFA", "DR", "NOT2", "NOT3", "NOT4", "NOT5", "FYO", "BKR"}
SEED = 3


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, pristine):
    folder = tmp_path_factory.mktemp("rendered") / "collection"
    generate(folder, 3, 2, seed=SEED, file_format="csv", project=pristine, render=("txt", "pdf", "docx"))
    with (folder / "facts.csv").open(encoding="utf-8") as f:
        return folder, list(csv.DictReader(f))


def figures(facts) -> dict:
    return {(f["statement"], f["line_id"], f["measure"], f["fiscal_year"]):
            (Decimal(f["value"]), f["unit"], str(f["decimals"]), f["label_printed"]) for f in facts}


def test_the_sample_varies_the_way_reports_do(rendered):
    folder, _ = rendered
    styles = [Style.draw(random.Random(f"{SEED}-{p.stem}")) for p in (folder / "renderings").glob("*.txt")]
    assert {s.aligned for s in styles} == {True, False}
    assert len({s.separator for s in styles}) >= 2 and len({s.minus for s in styles}) >= 2
    assert any(s.years_ascending for s in styles) and any(s.blank_lines for s in styles)


@pytest.mark.parametrize("kind", ["txt", "pdf", "docx"])
def test_every_rendering_ingests_to_the_generated_facts(project, rendered, kind):
    folder, facts = rendered
    documents = sorted((folder / "renderings").glob(f"*.{kind}"))
    assert len(documents) == 6
    for document in documents:
        org_id, report_year = document.stem.split("-")
        printed = [f for f in facts if f["org_id"] == org_id and f["report_year"] == report_year]
        result = ingest(project, document, org_id, int(report_year), folder / "label_variants.csv")
        assert figures(result.facts) == figures(f for f in printed if f["statement"] in TABLES), document.name
        assert not result.needs_review, [vars(i) for i in result.review if i.kind in ("unmapped_label", "unexplained")]
        candidates = {Decimal(i.value) for i in result.review if i.kind == "candidate"}
        assert {Decimal(f["value"]) for f in printed if f["statement"] in ("NARR", "GOAL")} <= candidates
