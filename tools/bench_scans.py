"""Benchmark of scanned reports (`python tools/bench_scans.py --record`): how many figures OCR reads exact,
and whether every other one is named for review, with the time a page takes.

The material: the real report exported by LibreOffice, scanned at 300 and 200 dpi, read as another
association whose own lines are known (finsam.synthetic.scan.known_association); and N generated reports
(`finsam generate --render scan200.pdf`: LibreOffice's PDF printed and scanned at 200 dpi, up to 1° askew,
noise, JPEG), read as a new association. Each is ingested as `finsam ingest` does it, OCR and proof-read by
the checks; its figures are compared with the truth (the text's, or the generator's): exact, wrong (a value
of a line and year the truth has, read otherwise), extra (a line and year the truth does not have), and
whether each wrong or extra figure is named in the review as `misread` or `uncertain_reading`. `--record`
replaces the section "## Scanned reports" of BENCHMARKS.md (tools/bench.py keeps it). Slow by nature
(about 30 s a report): outside the test suite and `make bench`.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import finsam.ingest.proof_read as proof_read_module
from finsam.ingest import ingest
from finsam.ingest.model import DOUBTED_READINGS
from finsam.project import Project
from finsam.synthetic.generate import generate
from finsam.synthetic.render import SCANNED, Style, render_documents, text_blocks
from finsam.synthetic.scan import known_association, scan

from bench import record_section

TABLES = {"RR", "BR", "KFA", "DR", "NOT2", "NOT3", "NOT4", "NOT5", "FYO", "BKR"}
HEADING = "## Scanned reports"
REAL_REPORT = Path(__file__).resolve().parents[2] / "shared" / "source-documents" / "000_53f7e383c55ecf26.txt"
SCANNED_AS = "sf_skannad"


def key(fact) -> tuple[str, str, str, str]:
    return fact["statement"], fact["line_id"], fact["measure"], fact["fiscal_year"]


def scored(project: Project, document: Path, org_id: str, year: int, truth: dict, known: Path | None) -> dict:
    """One scanned document ingested and compared with its truth."""
    proof_seconds = []
    original = proof_read_module.proof_read

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            proof_seconds.append(time.perf_counter() - start)

    proof_read_module.proof_read = timed
    try:
        start = time.perf_counter()
        result = ingest(project, document, org_id, year, known=known)
        seconds = time.perf_counter() - start
    finally:
        proof_read_module.proof_read = original
    import pdfplumber

    with pdfplumber.open(document) as pdf:
        pages = len(pdf.pages)
    got = {key(f): Decimal(f["value"]) for f in result.facts}
    named = {(i.statement, i.line_id, i.measure, i.fiscal_year) for i in result.review
             if i.kind in DOUBTED_READINGS}
    wrong = [k for k in got if k in truth and truth[k] != got[k]]
    extra = [k for k in got if k not in truth]
    return {"document": document.name, "truth": len(truth), "read": len(got), "exact": len(got) - len(wrong) - len(extra),
            "wrong": len(wrong), "extra": len(extra), "unnamed": len([k for k in wrong + extra if k not in named]),
            "misread": result.count("misread"), "blamed": result.count("blamed_figure"),
            "uncertain": result.count("uncertain_reading"),
            "not_proof_read": result.count("not_proof_read"), "pages": pages,
            "ocr_s": round(seconds - sum(proof_seconds), 1), "proof_read_s": round(sum(proof_seconds), 1),
            "unnamed_keys": [(k, str(truth.get(k)), str(got[k])) for k in wrong + extra if k not in named][:5]}


def real_report(project: Project, work: Path, dpi: int) -> dict:
    text = REAL_REPORT.read_text(encoding="utf-8")
    render_documents([(text_blocks(text), Style.draw(random.Random(0)), work / "real")], ("office.pdf",))
    scanner = SCANNED["scan.pdf" if dpi == 300 else "scan200.pdf"]
    document = work / f"real.scan{dpi}.pdf"
    scan(work / "real.office.pdf", document, scanner, seed=dpi)
    truth = {key(f): Decimal(f["value"]) for f in ingest(project, REAL_REPORT, "sf_vasteras", 2023).facts}
    known = known_association(project.seeds_dir, "sf_vasteras", SCANNED_AS, work / f"known{dpi}")
    return {**scored(project, document, SCANNED_AS, 2023, truth, known), "dpi": dpi}


def generated(project: Project, work: Path, reports: int) -> list[dict]:
    folder = work / "generated"
    generate(folder, reports, 1, seed=11, file_format="csv", project=project, render=("scan200.pdf",))
    with (folder / "facts.csv").open(encoding="utf-8") as f:
        facts = [r for r in csv.DictReader(f) if r["statement"] in TABLES]
    rows = []
    for document in sorted((folder / "renderings").glob("*.scan200.pdf")):
        org_id, year = document.name.split(".")[0].split("-")
        truth = {key(f): Decimal(f["value"]) for f in facts if f["org_id"] == org_id and f["report_year"] == year}
        rows.append(scored(project, document, org_id, int(year), truth, None))
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def render(real: list[dict], rows: list[dict]) -> str:
    columns = ["document", "pages", "truth", "read", "exact", "wrong", "extra", "unnamed", "misread", "blamed", "uncertain",
               "ocr_s", "proof_read_s"]
    total = {c: sum(r[c] for r in rows) for c in columns[1:]}
    lines = [HEADING, "",
             (f"Recorded {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `python tools/bench_scans.py --record` "
              "(this machine, 2 cores, nothing else running). `truth`: the table figures of the text or the "
              "generator; `exact`/`wrong`/`extra`: figures read right, read otherwise, read for a line and year the "
              "truth does not have; `unnamed`: wrong or extra figures not named in review as `misread` or "
              "`blamed_figure` or `uncertain_reading` (the target is 0); `ocr_s`: reading the PDF, `proof_read_s`: the checks' build."),
             "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in [*real, *rows]:
        lines.append("| " + " | ".join(str(row[c]) for c in columns) + " |")
    lines.append("| **generated, all** | " + " | ".join(str(round(total[c], 1)) for c in columns[1:]) + " |")
    exact_share = total["exact"] / total["truth"] if total["truth"] else 0
    per_page = total["ocr_s"] / total["pages"] if total["pages"] else 0
    met = {True: "met", False: "**not met**"}
    lines += ["", (f"Generated reports at 200 dpi: {total['exact']} of {total['truth']} table figures exact "
                   f"({100 * exact_share:.3f} %; target 99.5 %: {met[exact_share >= 0.995]}), {total['unnamed']} wrong or "
                   f"extra figures unnamed (target 0: {met[total['unnamed'] == 0]}); OCR {per_page:.1f} s a page (two "
                   "pages at a time).")]
    for row in real:
        lines += ["", (f"{row['document']}: {row['exact']} of {row['truth']} exact, {row['unnamed']} unnamed; OCR "
                       f"{row['ocr_s']} s for {row['pages']} pages (target for the real report ≤ 60 s: {met[row['ocr_s'] <= 60]})"
                       + (f"; with the generated reports {total['exact'] + row['exact']} of {total['truth'] + row['truth']} "
                          f"exact ({100 * (total['exact'] + row['exact']) / (total['truth'] + row['truth']):.3f} %)."
                          if row["dpi"] == SCANNED["scan200.pdf"].dpi else "."))]
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/bench_scans.py", description=__doc__)
    parser.add_argument("--reports", type=int, default=20, help="generated reports scanned at 200 dpi (default 20)")
    parser.add_argument("--record", action="store_true", help="replace the section in BENCHMARKS.md")
    args = parser.parse_args(argv)
    project = Project.locate(Path(__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory(prefix="finsam-bench-scans-") as scratch:
        work = Path(scratch)
        real = [real_report(project, work, dpi) for dpi in (300, 200)]
        for row in real:
            print(row, file=sys.stderr, flush=True)
        rows = generated(project, work, args.reports)
    text = render(real, rows)
    print(text)
    if args.record:
        record_section(project.root / "BENCHMARKS.md", HEADING, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
