"""finsam ingest: a published annual report → fact rows in the project's fact layout and review items.

Readers (text, PDF, Word) → one report model (ingest.model) → one interpreter (ingest.interpret).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
from pathlib import Path

from finsam.ingest.docx import read_docx
from finsam.ingest.interpret import Interpreter, Reference, Result, ReviewItem
from finsam.ingest.model import Progress
from finsam.ingest.pdf import read_pdf
from finsam.ingest.review_page import review_page
from finsam.ingest.text import UnreadableSource, read_text
from finsam.project import Project
from finsam.safe_text import spreadsheet_cell
from finsam.inputs import load_schemas

READERS = {".txt": read_text, ".md": read_text, ".pdf": read_pdf, ".docx": read_docx}


def ingest(project: Project, source: Path, org_id: str, report_year: int, label_variants: Path | None = None,
           progress: Progress | None = None, known: Path | None = None) -> Result:
    """Read one report. `label_variants`: a CSV of the label_variants layout with labels accepted beyond the
    seeds' (e.g. a collection's own); `known`: a collection folder whose own_lines.csv and label_variants.csv
    (what an earlier ingest learnt of the association, as a person corrected it) are the association's;
    `progress`: told (done, of) as the reader goes."""
    reader = READERS.get(source.suffix.lower())
    if reader is None:
        raise UnreadableSource(f"{source}: finsam reads {', '.join(sorted(READERS))} files")
    if not source.is_file():
        raise UnreadableSource(f"{source}: no such file")
    more = _rows(label_variants) if label_variants is not None else []
    own_lines, members = [], []
    if known is not None:
        more += _rows(known / "label_variants.csv")
        own_lines = [r for r in _rows(known / "own_lines.csv") if r.get("org_id") == org_id]
        members = _rows(known / "funding_members.csv")
    layout = load_schemas(project)["facts_annual_report"]
    reference = Reference.load(project.seeds_dir, more, own_lines, members)
    result = Interpreter(reference, org_id, report_year, layout.columns).run(reader(source, progress))
    result.fact_columns = layout.written_columns(result.facts)   # confidence: where figures were read by OCR
    result.source = source
    if not any(r["org_id"] == org_id for r in _rows(project.seeds_dir / "reference" / "organisations.csv")):
        result.learnt.organisations.append(result.learnt.organisation(org_id, result.facts))
    if any(f.get("confidence") for f in result.facts):   # read by OCR: the checks proof-read it
        from finsam.ingest.proof_read import proof_read

        result.review += proof_read(project, _collection(result, known), org_id, report_year)
    return result


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


class CannotWrite(Exception):
    """The outputs cannot be written where asked, or would replace a person's edits (exit 2)."""


def write_outputs(result: Result, out_dir: Path, force: bool = False) -> None:
    """facts.csv (the fact layout: a collection) and review.csv, both written whole before either is renamed
    into place, every cell as a spreadsheet shows text (finsam.safe_text). Files of out_dir that differ
    from what ingest last wrote there (a person typed facts into them) are kept unless `force`."""
    if out_dir.exists() and not out_dir.is_dir():
        raise CannotWrite(f"{out_dir}: --out names a file, not a folder: give a folder for facts.csv and review.csv")
    written = _written(out_dir)
    edited = [name for name in OUTPUTS if (out_dir / name).is_file()
              and written.get(name) != hashlib.sha256((out_dir / name).read_bytes()).hexdigest()]
    if edited and not force:
        raise CannotWrite(f"{out_dir}: {' and '.join(edited)} changed since finsam ingest wrote "
                          f"{'them' if len(edited) > 1 else 'it'} (facts typed by hand?): ingest into another "
                          "folder, or give --force to replace them")
    review_columns = [f.name for f in dataclasses.fields(ReviewItem)]
    try:
        write_files(out_dir, {**_collection(result, out_dir),
                              "review.csv": (review_columns, [dataclasses.asdict(i) for i in result.review])},
                    {REVIEW_PAGE: review_page(result.review, result.source)})
        (out_dir / MANIFEST).write_text(json.dumps({name: hashlib.sha256((out_dir / name).read_bytes()).hexdigest()
                                                    for name in OUTPUTS}, indent=1), encoding="utf-8")
    except OSError as err:
        raise CannotWrite(f"{out_dir}: cannot write there ({err.strerror}): give a folder you can write to") from None


def write_files(folder: Path, tables: dict[str, tuple[list[str], list[dict[str, str]]]], pages: dict[str, str]) -> None:
    """CSV files (columns, rows) and text pages, each written whole before any is renamed into place."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (columns, rows) in tables.items():
        with (folder / f".{name}.tmp").open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([spreadsheet_cell(row.get(c, "")) for c in columns] for row in rows)
    for name, text in pages.items():
        (folder / f".{name}.tmp").write_text(text, encoding="utf-8")
    for name in [*tables, *pages]:
        (folder / f".{name}.tmp").replace(folder / name)


def _collection(result: Result, out_dir: Path | None) -> dict[str, tuple[list[str], list[dict[str, str]]]]:
    """The collection files ingest writes into out_dir: the facts, and the association's files with what it learnt."""
    return {"facts.csv": (result.fact_columns, result.facts), **_association_files(result, out_dir)}


OUTPUTS = ("facts.csv", "review.csv")   # what ingest writes whole (the association's files it adds to)
REVIEW_PAGE = "review.html"             # review.csv's items on one page, figures of a scan with their crops


def _association_files(result: Result, out_dir: Path | None) -> dict[str, tuple[list[str], list[dict[str, str]]]]:
    """What ingest learnt of the association, added to the collection's files of their layouts: each row
    already there is kept as it is (a person's correction stands), a learnt row is added where its key is
    new. A file is written only where there is something to write."""
    from finsam.inputs.layouts import KEYS

    files = {}
    for name in (f.name for f in dataclasses.fields(result.learnt) if f.metadata.get("file", True)):
        learnt = getattr(result.learnt, name)
        existing = _rows(out_dir / f"{name}.csv") if out_dir else []
        if not learnt and not existing:
            continue
        columns = list(existing[0]) if existing else list(learnt[0])
        keys = {tuple(row.get(c, "") for c in KEYS[name]) for row in existing}
        files[f"{name}.csv"] = (columns, existing + [row for row in learnt if tuple(row.get(c, "") for c in KEYS[name]) not in keys])
    return files


MANIFEST = ".finsam-ingest.json"   # what ingest last wrote into the folder: its files' SHA-256


def _written(out_dir: Path) -> dict[str, str]:
    try:
        return json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
