"""One interpreter for every reader: the report model → facts, review items and ignored numbers.

Tables are recognised by their title or nearest heading (statements.heading_pattern); their unit comes
from the header ("Belopp i kr", "Belopp tkr", "Mkr") or the cell; each column's fiscal year and measure
from its header (column_headers.csv); each row's line from its printed label (line catalogue and label
variants of the association). Every number of the document ends up as exactly one of: a fact; a review
item (a row whose label maps to no line, a number in running text: a narrative candidate); ignored by a
named rule; or unexplained.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from finsam.ingest.model import Document, Heading, Paragraph, Place, Row, Table
from finsam.ingest.numbers import PrintedNumber, find_numbers, read_number
from finsam.labels import LabelIndex, normalise_label

YEAR = re.compile(r"\b(19|20)\d{2}\b")
BARE_YEAR = re.compile(r"^(19|20)\d{2}$")
MONTHS = "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
# Numbers of running text that are no figures, each with the rule that says so (first match wins).
IGNORE_RULES = [
    ("date", re.compile(rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}\s(?:{MONTHS})(?:[\s-]+\d{{1,2}}\s(?:{MONTHS}))?(?:\s\d{{4}})?",
                        re.IGNORECASE)),
    ("organisation number", re.compile(r"\b\d{6}-\d{4}\b")),
    ("registration number (Dnr)", re.compile(r"\bDnr\s+\d{4}/\d+", re.IGNORECASE)),
    ("law reference", re.compile(r"\b(?:SFS\s)?\d{4}:\d+\b")),
    ("note number", re.compile(r"\bNot\s\d+\b")),
    ("section number", re.compile(r"^\d+(?:\.\d+)+\b|^\d+\s(?=\D)")),
    ("list numbering", re.compile(r"^[-•]\s*\d+\b|\b\d+\)")),
    ("a range, not one figure", re.compile(r"\b\d+\s?[-–—]\s?\d+\b")),
    ("part of a name", re.compile(r"[A-Za-zÅÄÖåäö]\d+\b|\b\d+[A-Za-zÅÄÖåäö]+(?<!kr)\b")),
    ("year", re.compile(r"\b(?:19|20)\d{2}/(?:19|20)?\d{2}\b")),
]
TOC_LEADER = re.compile(r"\.{3,}\s*$")
COUNT_WORDS = re.compile(r"^\s*(?:st\s|nya\s)?(personer|deltagare|möten|gånger|insatser|mål|utbildningar|individer)", re.IGNORECASE)
TEXT_STATEMENTS = ("NARR", "GOAL", "KEY")


@dataclass
class ReviewItem:
    kind: str              # unmapped_label | candidate | ignored | unexplained
    source_ref: str
    text: str              # the row label or the sentence
    token: str = ""
    value: str = ""
    unit: str = ""
    decimals: str = ""
    statement: str = ""
    line_id: str = ""
    measure: str = ""
    fiscal_year: str = ""
    rule: str = ""         # why ignored, or what is wrong
    candidates: str = ""   # best lines with scores


@dataclass
class Result:
    fact_columns: list[str]                                   # the fact layout facts.csv is written in
    facts: list[dict[str, str]] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for item in self.review if item.kind == kind)

    @property
    def coverage(self) -> dict[str, int]:
        return {"facts": len(self.facts), "candidates": self.count("candidate"),
                "unmapped rows": len({(i.source_ref, i.text) for i in self.review if i.kind == "unmapped_label"}),
                "ignored": self.count("ignored"), "unexplained": self.count("unexplained")}

    @property
    def needs_review(self) -> bool:
        return bool(self.count("unexplained") or self.count("unmapped_label"))


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@dataclass
class Reference:
    """The reference data the interpreter reads, from the project's seeds."""

    statements: list[dict[str, str]]
    column_rules: list[dict[str, str]]
    catalogue: list[dict[str, str]]
    labels: LabelIndex

    @classmethod
    def load(cls, seeds_dir: Path, more_variants: list[dict[str, str]] = ()) -> "Reference":
        reference = seeds_dir / "reference"
        catalogue = _read(reference / "line_catalogue.csv")
        return cls(_read(reference / "statements.csv"),
                   sorted(_read(reference / "column_headers.csv"), key=lambda r: int(r["priority"])),
                   catalogue, LabelIndex.build(catalogue, _read(reference / "label_variants.csv") + list(more_variants)))

    def statement_of(self, text: str) -> str | None:
        normalised = normalise_label(text)
        for row in self.statements:
            if row["heading_pattern"] and re.search(row["heading_pattern"], normalised):
                return row["statement"]
        return None

    def column(self, statement: str, header: str) -> tuple[str, str]:
        """(measure, ignore rule) of a column from its joined header."""
        for rule in self.column_rules:
            if rule["statement"] in ("*", statement) and re.search(rule["header_pattern"], header):
                return rule["measure"], rule["ignore_rule"]
        return "amount", ""

    def unit_if_unprinted(self, statement: str, line_id: str) -> str:
        return next((r["unit_if_unprinted"] for r in self.catalogue
                     if (r["statement"], r["line_id"]) == (statement, line_id)), "")


def _is_header_row(row: Row) -> bool:
    """A leading row of column headers: no figures in it (a bare year is a header, not a figure)."""
    return all(not c or read_number(c) is None or BARE_YEAR.match(c) for c in row.cells[1:])


def _table_unit(texts: list[str]) -> str | None:
    words = set(normalise_label(" ".join(texts)).split())
    if words & {"tkr", "tusental"}:
        return "tkr"
    if words & {"mkr", "miljoner", "mnkr"}:
        return "Mkr"
    if "kr" in words or "kronor" in words:
        return "kr"
    return None


class Interpreter:
    def __init__(self, reference: Reference, org_id: str, report_year: int, fact_columns: list[str]):
        self.reference, self.org_id, self.report_year = reference, org_id, report_year
        self.result = Result(fact_columns)
        self.headings: dict[int, str] = {}

    def section(self) -> str:
        return self.headings[max(self.headings)] if self.headings else ""

    def where(self, place: Place) -> str:
        return f"{self.section()} ({place})" if self.section() else str(place)

    def run(self, document: Document) -> Result:
        for block in document.blocks:
            if isinstance(block, Heading):
                self.headings = {level: text for level, text in self.headings.items() if level < block.level}
                self.headings[block.level] = block.text
                self.running_text(block.text, block.place, heading=True)
            elif isinstance(block, Paragraph):
                self.running_text(block.text, block.place)
            elif isinstance(block, Table):
                self.table(block)
        return self.result

    # ------------------------------------------------------------------------------------------ tables

    def table(self, table: Table) -> None:
        """A table, or several printed back to back: a title row (a statement's title, no figures) inside
        a table starts the next one."""
        start = 0
        for k, row in enumerate(table.rows):
            if k > start and _is_header_row(row) and row.cells[0] and self.reference.statement_of(row.cells[0]):
                self.one_table(Table(table.rows[start:k]))
                start = k
        self.one_table(Table(table.rows[start:]))

    def one_table(self, table: Table) -> None:
        n_header = 0
        while n_header < len(table.rows) and _is_header_row(table.rows[n_header]):
            n_header += 1
        header_rows, data_rows = table.rows[:n_header], table.rows[n_header:]
        title = [header_rows[0].cells[0]] if header_rows and header_rows[0].cells[0] else []
        nearest_first = [self.headings[level] for level in sorted(self.headings, reverse=True)]
        statement = next((s for s in map(self.reference.statement_of, title + nearest_first) if s), None)
        if statement is None or statement in TEXT_STATEMENTS:
            for row in data_rows:
                self.unknown_table_row(row)
            return
        width = max(len(r.cells) for r in table.rows)
        columns = self.columns(statement, header_rows, width)
        unit = _table_unit([r.cells[0] for r in header_rows] + title + nearest_first[:1])
        for row in data_rows:
            self.table_row(statement, row, columns, unit)

    def columns(self, statement: str, header_rows: list[Row], width: int) -> dict[int, tuple[int | None, str, str]]:
        """Column index -> (fiscal year, measure, ignore rule)."""
        texts = [[""] * width for _ in header_rows]
        for k, row in enumerate(header_rows):
            previous = ""
            for j in range(1, width):
                cell = row.cells[j] if j < len(row.cells) else ""
                if not cell and k < len(header_rows) - 1:  # a group header spans the blank cells to its right
                    cell = previous
                texts[k][j] = previous = cell
        columns = {}
        for j in range(1, width):
            header = normalise_label(" ".join(t[j] for t in texts))
            year = YEAR.search(header)
            measure, ignore = self.reference.column(statement, header) if header else ("amount", "")
            columns[j] = (int(year.group(0)) if year else (self.report_year if not header else None), measure, ignore)
        return columns

    def table_row(self, statement: str, row: Row, columns: dict, unit: str | None) -> None:
        label = row.cells[0]
        numbers = [(j, read_number(c), c) for j, c in enumerate(row.cells) if j > 0 and re.search(r"\d", c)]
        if not numbers:
            return  # a section header or a row of words ("Inga")
        lines = self.reference.labels.lines_for(self.org_id, statement, label) if label else set()
        for j, number, cell in numbers:
            year, measure, ignore = columns.get(j, (None, "", ""))
            item = ReviewItem("", self.where(row.place), label, cell, statement=statement)
            if number is None:
                self.add(item, "unexplained", rule="a cell with digits that is not one printed number")
            elif ignore:
                self.add(item, "ignored", rule=ignore)
            elif len(lines) != 1:
                close = self.reference.labels.closest(self.org_id, statement, label)
                self.add(item, "unmapped_label", value=number.canonical, unit=number.unit or unit or "",
                         decimals=str(number.decimals), measure=measure, fiscal_year=str(year or ""),
                         rule=("the label means several lines: " + ", ".join(sorted(lines))) if lines else
                         "no line of the statement has this label: add it to seeds/reference/label_variants.csv",
                         candidates="; ".join(f"{line} '{lab}' {score}" for lab, line, score in close))
            elif year is None:
                self.add(item, "unexplained", rule="the column's header names no year")
            else:
                line_id = next(iter(lines))
                self.fact(statement, line_id, measure, year, label, number,
                          number.unit or self.reference.unit_if_unprinted(statement, line_id) or unit or "kr",
                          row.place)

    def unknown_table_row(self, row: Row) -> None:
        toc = bool(TOC_LEADER.search(row.cells[0]))
        for cell in row.cells[1:]:
            if not cell or not re.search(r"\d", cell):
                continue
            item = ReviewItem("", self.where(row.place), row.cells[0], cell)
            if toc and read_number(cell):
                self.add(item, "ignored", rule="table of contents page number")
            else:
                self.running_text(" ".join(row.cells), row.place)
                return

    def fact(self, statement, line_id, measure, year, label, number: PrintedNumber, unit, place) -> None:
        remark = "; ".join(number.notes)
        values = {"org_id": self.org_id, "report_year": str(self.report_year), "fiscal_year": str(year),
                  "statement": statement, "line_id": line_id, "measure": measure, "label_printed": label,
                  "value": number.canonical, "unit": unit, "decimals": str(number.decimals),
                  "source_ref": self.where(place), "remark": (f"printed '{number.text}': {remark}" if remark else "")}
        self.result.facts.append({c: values.get(c, "") for c in self.result.fact_columns})

    # ------------------------------------------------------------------------------------------ text

    def running_text(self, text: str, place: Place, heading: bool = False) -> None:
        spans = [(rule, m.start(), m.end()) for rule, pattern in IGNORE_RULES for m in pattern.finditer(text)
                 if not (rule == "section number" and not heading and not re.match(r"^\d+\.\d", text))]
        for start, end, number in find_numbers(text):
            item = ReviewItem("", self.where(place), _sentence(text, start), number.text.strip())
            rule = next((r for r, s, e in spans if s < end and start < e), None)
            if rule is None and BARE_YEAR.match(number.text.strip()):
                rule = "year"
            if rule:
                self.add(item, "ignored", rule=rule)
                continue
            unit = number.unit or ("count" if COUNT_WORDS.match(text[end:]) else "")
            best = max(((lab, line, score, statement) for statement in TEXT_STATEMENTS
                        for lab, line, score in self.reference.labels.closest(self.org_id, statement, item.text, n=1)),
                       key=lambda t: t[2], default=None)
            self.add(item, "candidate", value=number.canonical, unit=unit, decimals=str(number.decimals),
                     statement=best[3] if best else "", line_id=best[1] if best else "",
                     fiscal_year=str(self.report_year), rule="a number in running text: accept it as a fact by hand",
                     candidates=f"{best[3]}.{best[1]} '{best[0]}' {best[2]}" if best else "")

    def add(self, item: ReviewItem, kind: str, **values) -> None:
        item.kind = kind
        for key, value in values.items():
            setattr(item, key, value)
        self.result.review.append(item)


def _sentence(text: str, position: int) -> str:
    start = max(text.rfind(". ", 0, position) + 2, 0) if text.rfind(". ", 0, position) >= 0 else 0
    end = text.find(". ", position)
    return text[start:end + 1 if end >= 0 else len(text)].strip()
