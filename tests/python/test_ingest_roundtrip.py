"""Round trip: every report `finsam generate --render` writes — as text (tab-separated or space-aligned),
PDF with ruled tables, Word, and as published without ruling lines (fpdf2's plain columns, a web page
printed by Chromium, a Word file exported by LibreOffice, and `pdftotext -layout` text of each) — each with
its own drawn style, ingests back into exactly the facts the generator wrote, every statement read, and
the association's own lines and members learnt as the generator drew them."""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from finsam.synthetic.generate import generate
from finsam.ingest import ingest
from finsam.synthetic.render import KINDS, SCANNED, Style
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


def test_every_kind_is_round_tripped_and_documented():
    # html is what Chromium prints, read as browser.pdf; a scan is read by OCR, not exactly (test_scanned.py)
    assert set(ROUND_TRIPPED) == set(KINDS) - {"html"} - set(SCANNED)
    ingest_page = (Path(__file__).resolve().parents[2] / "docs" / "ingest.md").read_text(encoding="utf-8")
    assert [kind for kind in KINDS if f"`{kind}`" not in ingest_page] == []


def rows_of(path: Path, org_id: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["org_id"] == org_id]


def assert_learnt_as_generated(result, folder: Path, org_id: str) -> None:
    """What ingest learnt of the association is what the generator drew: its own lines of the tables
    (statement, id, label, anchor, intervention) and its members (line, type; name and share of a
    region or municipality). The generator makes its ids from the labels, as ingest does: the table of
    generated id -> learnt id, by statement and label, is the identity."""
    generated = {(r["statement"], r["label_sv"]): r for r in rows_of(folder / "own_lines.csv", org_id)
                 if r["statement"] in TABLES}
    learnt = {(r["statement"], r["label_sv"]): r for r in result.learnt.own_lines}
    assert learnt.keys() == generated.keys()
    ids = {key: (generated[key]["line_id"], learnt[key]["line_id"]) for key in generated}
    assert [pair for pair in ids.values() if pair[0] != pair[1]] == []
    assert {key: (r["anchor_line_id"], r["intervention_id"], str(r["sign"])) for key, r in learnt.items()} == \
        {key: (r["anchor_line_id"], r["intervention_id"], r["sign"]) for key, r in generated.items()}
    members = {r["line_id"]: r for r in rows_of(folder / "funding_members.csv", org_id)}
    found = {r["line_id"]: r for r in result.learnt.funding_members}
    assert found.keys() == members.keys()
    for line, member in members.items():
        assert found[line]["member_type"] == member["member_type"]
        assert float(found[line]["share_of_type"]) == pytest.approx(float(member["share_of_type"]))
        if member["member_type"] != "state":  # the state's line is printed under several names
            assert found[line]["member_sv"] == member["member_sv"]


@pytest.mark.parametrize("kind", ROUND_TRIPPED)
def test_every_rendering_ingests_to_the_generated_facts(project, pristine, tmp_path, kind):
    """Nothing of the association is passed in: its own lines and members are learnt from the report."""
    facts = render(tmp_path, pristine, kind)
    documents = sorted((tmp_path / "renderings").glob(f"*.{kind}"))
    assert len(documents) == 6
    for document in documents:
        org_id, report_year = document.name.split(".")[0].split("-")
        printed = [f for f in facts if f["org_id"] == org_id and f["report_year"] == report_year]
        result = ingest(project, document, org_id, int(report_year))
        assert figures(result.facts) == figures(f for f in printed if f["statement"] in TABLES), document.name
        assert_learnt_as_generated(result, tmp_path, org_id)
        assert not result.needs_review, [vars(i) for i in result.review
                                         if i.kind in ("unmapped_label", "unexplained", "statement_not_read")]
        assert {s.statement for s in result.statements if s.status == "read"} == TABLES, document.name
        candidates = {Decimal(i.value) for i in result.review if i.kind == "candidate"}
        assert {Decimal(f["value"]) for f in printed if f["statement"] in ("NARR", "GOAL")} <= candidates


def test_a_rendering_kind_whose_program_is_missing_is_exit_2_naming_the_package(pristine, tmp_path):
    finsam = Path(sys.executable).with_name("finsam")
    proc = subprocess.run([str(finsam), "generate", str(tmp_path / "out"), "--orgs", "1", "--years", "1", "--csv",
                           "--render", "browser.pdf"], capture_output=True, text=True,
                          env={**os.environ, "FINSAM_PROJECT": str(pristine.root), "PATH": str(tmp_path / "empty"),
                               "COLUMNS": "200"})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "chromium is not installed: apt-get install chromium" in proc.stderr
    assert "Traceback" not in proc.stderr
