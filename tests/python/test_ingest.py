"""finsam ingest reads the published report into exactly the curated facts of its statement tables, every
number accounted for; an unknown label is a review item accepted by one row of label_variants.csv."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finsam.ingest import ingest
from finsam.run.nightly import nightly_run

REPORT = Path(__file__).resolve().parents[3] / "shared" / "source-documents" / "000_53f7e383c55ecf26.txt"
TABLES = {"RR", "BR", "KFA", "DR", "NOT2", "NOT3", "NOT4", "NOT5", "FYO", "BKR"}
CURATED = Path(__file__).resolve().parents[2] / "seeds" / "facts" / "facts_annual_report.csv"

pytestmark = pytest.mark.skipif(not REPORT.is_file(), reason=f"the source document is not at {REPORT}")


def curated_rows() -> list[dict[str, str]]:
    with CURATED.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def key(fact: dict) -> tuple:
    return fact["statement"], fact["line_id"], fact["measure"], fact["fiscal_year"]


def figure(fact: dict) -> tuple:
    return Decimal(fact["value"]), fact["unit"], fact["decimals"], fact["label_printed"]


def run_ingest(project, source: Path, out: Path) -> subprocess.CompletedProcess:
    finsam = Path(sys.executable).with_name("finsam")
    return subprocess.run([str(finsam), "ingest", str(source), "--org", "sf_vasteras", "--report-year", "2023",
                           "--out", str(out)], capture_output=True, text=True,
                          env={**os.environ, "FINSAM_PROJECT": str(project.root), "COLUMNS": "200"})


def test_the_report_ingests_to_exactly_the_curated_facts_of_its_tables(project):
    result = ingest(project, REPORT, "sf_vasteras", 2023)
    curated = {key(f): figure(f) for f in curated_rows() if f["statement"] in TABLES}
    ingested = {key(f): figure(f) for f in result.facts}
    assert len(ingested) == len(result.facts), "one fact per key"
    missing = sorted(set(curated) - set(ingested))
    extra = sorted(set(ingested) - set(curated))
    different = {k: (curated[k], ingested[k]) for k in curated.keys() & ingested.keys() if curated[k] != ingested[k]}
    assert (missing, extra, different) == ([], [], {})
    assert len(ingested) == 371
    doubled_minus = next(f for f in result.facts if (f["statement"], f["line_id"]) == ("BKR", "arets_resultat"))
    assert "doubled minus" in doubled_minus["remark"] and doubled_minus["source_ref"].startswith("1.6 Balanskravsresultat (line ")


def test_narrative_and_goal_figures_are_candidates(project):
    result = ingest(project, REPORT, "sf_vasteras", 2023)
    candidates = {(Decimal(i.value), i.unit) for i in result.review if i.kind == "candidate"}
    expected = [f for f in curated_rows() if f["statement"] in ("NARR", "GOAL") and "as the word" not in f["remark"]
                and "as 'en gång'" not in f["remark"]]
    assert len(expected) >= 25
    missing = [(f["line_id"], f["value"], f["unit"]) for f in expected if (Decimal(f["value"]), f["unit"]) not in candidates]
    assert not missing
    assert not any(f["statement"] in ("NARR", "GOAL") for f in result.facts), "never accepted automatically"
    assert result.coverage == {"facts": 371, "candidates": 38, "unmapped rows": 0, "ignored": 170, "unexplained": 0}


def test_every_number_is_accounted_for_and_the_outputs_are_a_collection(project, tmp_path):
    proc = run_ingest(project, REPORT, tmp_path / "out")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "371" in proc.stdout and "unexplained" in proc.stdout
    with (tmp_path / "out" / "review.csv").open(encoding="utf-8") as f:
        review = list(csv.DictReader(f))
    kinds = {r["kind"] for r in review}
    assert kinds == {"candidate", "ignored"}
    ignored_rules = {r["rule"] for r in review if r["kind"] == "ignored"}
    assert {"date", "organisation number", "registration number (Dnr)", "law reference", "table of contents page number",
            "note reference", "year"} <= ignored_rules
    header = (tmp_path / "out" / "facts.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == CURATED.read_text(encoding="utf-8").splitlines()[0]


def test_an_unknown_label_needs_review_and_one_variant_row_accepts_it(project, tmp_path):
    source = tmp_path / "report.txt"
    source.write_text(REPORT.read_text(encoding="utf-8").replace("Kassa och bank\t", "Kassa & bank\t"), encoding="utf-8")
    proc = run_ingest(project, source, tmp_path / "out")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    with (tmp_path / "out" / "review.csv").open(encoding="utf-8") as f:
        unmapped = [r for r in csv.DictReader(f) if r["kind"] == "unmapped_label"]
    assert {(r["statement"], r["text"], r["fiscal_year"]) for r in unmapped} == {("BR", "Kassa & bank", "2023"),
                                                                                 ("BR", "Kassa & bank", "2022")}
    assert all(r["candidates"].startswith("kassa_och_bank 'kassa och bank'") for r in unmapped)
    with (project.seeds_dir / "reference" / "label_variants.csv").open("a", encoding="utf-8") as f:
        f.write("sf_vasteras,BR,Kassa & bank,kassa_och_bank\n")
    proc = run_ingest(project, source, tmp_path / "out")
    assert proc.returncode == 0, proc.stdout
    assert "Kassa & bank" in (tmp_path / "out" / "facts.csv").read_text(encoding="utf-8")


def test_an_unreadable_file_exits_2(project, tmp_path):
    source = tmp_path / "report.txt"
    source.write_bytes(b"%PDF-1.7 binary")
    proc = run_ingest(project, source, tmp_path / "out")
    assert proc.returncode == 2 and "not text" in proc.stdout + proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["txt", "browser.pdf"])
def test_the_ingested_report_gives_the_curated_verdict(project, pristine, tmp_path, tmp_path_factory, kind):
    """The statement tables come from the ingested report (as typed, and as Chromium prints it as a web
    page without ruling lines) instead of the hand-typed seeds: same verdict."""
    from test_ingest_formats import render_real_report

    source = REPORT if kind == "txt" else render_real_report(tmp_path_factory, kind)
    rows = curated_rows()
    kept = [r for r in rows if r["statement"] not in TABLES]
    with (project.seeds_dir / "facts" / "facts_annual_report.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
    assert run_ingest(project, source, tmp_path / "ingested").returncode == 0
    result = nightly_run(project, collection=tmp_path / "ingested")
    assert result.exit_code == 0, result.message
    with duckdb.connect(str(pristine.published_db), read_only=True) as con:
        curated_known = sorted(con.execute("select check_id, fiscal_year from marts.reconciliations "
                                           "where status = 'known'").fetchall())
    assert result.status_counts == {"pass": 629, "known": 19}
    assert sorted((c["check_id"], c["fiscal_year"]) for c in result.checks if c["status"] == "known") == curated_known


def ingest_without(project, tmp_path: Path, heading: str) -> subprocess.CompletedProcess:
    """Ingest the report without one section (from its heading to the next heading) into tmp_path/out."""
    lines = REPORT.read_text(encoding="utf-8").split("\n")
    start = next(k for k, line in enumerate(lines) if line.startswith("#") and heading in line)
    end = next(k for k in range(start + 1, len(lines)) if lines[k].startswith("#"))
    source = tmp_path / "report.txt"
    source.write_text("\n".join(lines[:start] + lines[end:]), encoding="utf-8")
    return run_ingest(project, source, tmp_path / "out")


def review_rows(folder: Path, kind: str) -> list[dict[str, str]]:
    with (folder / "review.csv").open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["kind"] == kind]


def test_a_report_without_its_balance_sheet_exits_1_naming_it(project, tmp_path):
    proc = ingest_without(project, tmp_path, "3 Balansräkning")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "not read BR Balansräkning: not found in the report" in " ".join(proc.stdout.split())
    assert "every required statement read" not in proc.stdout
    assert [(r["statement"], r["rule"]) for r in review_rows(tmp_path / "out", "statement_not_read")] == [
        ("BR", "not found in the report")]


def test_a_balance_sheet_printed_as_a_picture_exits_1_naming_its_page(project, tmp_path):
    """A PDF whose balance sheet is a picture (a scanned insert): its heading is read, its table is not."""
    from test_ingest_formats import needs

    needs("pdftoppm")
    from finsam.synthetic.render import Block, render_pdf, text_blocks

    blocks = text_blocks(REPORT.read_text(encoding="utf-8"))
    k = next(k for k, b in enumerate(blocks) if b.kind == "heading" and b.text == "3 Balansräkning")
    k = next(j for j in range(k, len(blocks)) if blocks[j].kind == "table")
    render_pdf([blocks[k]], tmp_path / "balance_sheet.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", str(tmp_path / "balance_sheet.pdf"),
                    str(tmp_path / "balance_sheet")], check=True, capture_output=True)
    blocks[k] = Block("image", str(tmp_path / "balance_sheet.png"))
    render_pdf(blocks, tmp_path / "report.pdf", ruled=False)
    proc = run_ingest(project, tmp_path / "report.pdf", tmp_path / "out")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    [row] = review_rows(tmp_path / "out", "statement_not_read")
    assert row["statement"] == "BR" and re.fullmatch(r"page \d+: heading '3 Balansräkning' found, no table read",
                                                     row["rule"]), row
    assert row["rule"] in " ".join(proc.stdout.split())
    with (tmp_path / "out" / "facts.csv").open(encoding="utf-8") as f:
        read = {r["statement"] for r in csv.DictReader(f)}
    assert read == TABLES - {"BR"}


def test_two_figures_read_for_one_line_and_year_are_no_facts_but_review_items(project, tmp_path):
    """The income statement's year header not read (as OCR can miss it): both figure columns seem the
    report's year; no fact is written for a line whose two figures differ, each figure is named for review."""
    header = "Belopp i kr\tNot\t2023-01-01 -2023-12-31\t2022-01-01 -2022-12-31\n"
    text = REPORT.read_text(encoding="utf-8")
    assert text.count(header) == 1
    source = tmp_path / "report.txt"
    source.write_text(text.replace(header, "Belopp i kr\tNot\t\t\n"), encoding="utf-8")
    proc = run_ingest(project, source, tmp_path / "out")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    doubted = {(r["text"], r["token"]) for r in review_rows(tmp_path / "out", "unexplained")
               if r["rule"].startswith("another figure of the same line and year was read too")}
    assert {("Verksamhetens intäkter", "11006000"), ("Verksamhetens intäkter", "10996000")} <= doubted
    with (tmp_path / "out" / "facts.csv").open(encoding="utf-8") as f:
        income_statement = [(r["line_id"], r["value"]) for r in csv.DictReader(f) if r["statement"] == "RR"]
    assert income_statement and {value for _, value in income_statement} == {"0"}   # only the lines printed 0 and 0


def test_an_optional_statement_left_out_is_listed_and_does_not_fail(project, tmp_path):
    proc = ingest_without(project, tmp_path, "1.1 Översikt")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "not found (optional)" in proc.stdout
    assert [(r["statement"], r["rule"]) for r in review_rows(tmp_path / "out", "statement_not_read")] == [
        ("FYO", "not found in the report (a report may leave it out)")]


def test_a_statement_is_required_or_optional_by_statements_csv(project, tmp_path):
    """The rule is data: the five-year overview made required, the same report fails."""
    from conftest import edit_csv_rows

    assert edit_csv_rows(project.seeds_dir / "reference" / "statements.csv", {"statement": "FYO"},
                         {"required": "true"}) == 1
    assert ingest_without(project, tmp_path, "1.1 Översikt").returncode == 1
