"""finsam ingest: a published annual report → fact rows in the project's fact layout and review items.

Readers (text, PDF, Word) → one report model (ingest.model) → one interpreter (ingest.interpret).
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

from finsam.ingest.docx import read_docx
from finsam.ingest.interpret import Interpreter, Reference, Result, ReviewItem
from finsam.ingest.pdf import read_pdf
from finsam.ingest.text import UnreadableSource, read_text
from finsam.project import Project
from finsam.validate import load_schemas

READERS = {".txt": read_text, ".md": read_text, ".pdf": read_pdf, ".docx": read_docx}


def ingest(project: Project, source: Path, org_id: str, report_year: int, label_variants: Path | None = None) -> Result:
    """Read one report. `label_variants`: a CSV of the label_variants layout with labels accepted beyond the
    seeds' (e.g. a collection's own)."""
    reader = READERS.get(source.suffix.lower())
    if reader is None:
        raise UnreadableSource(f"{source}: finsam reads {', '.join(sorted(READERS))} files")
    more = []
    if label_variants is not None:
        with label_variants.open(encoding="utf-8", newline="") as f:
            more = list(csv.DictReader(f))
    fact_columns = load_schemas(project)["facts_annual_report"].columns
    return Interpreter(Reference.load(project.seeds_dir, more), org_id, report_year, fact_columns).run(reader(source))


def write_outputs(result: Result, out_dir: Path) -> None:
    """facts.csv (the fact layout: a collection) and review.csv, each written whole and renamed into place."""
    out_dir.mkdir(parents=True, exist_ok=True)
    review_columns = [f.name for f in dataclasses.fields(ReviewItem)]
    for name, columns, rows in (("facts.csv", result.fact_columns, result.facts),
                                ("review.csv", review_columns, [dataclasses.asdict(i) for i in result.review])):
        tmp = out_dir / f".{name}.tmp"
        with tmp.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        tmp.replace(out_dir / name)
