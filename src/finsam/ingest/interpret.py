"""One interpreter for every reader: the report model → facts, review items and ignored numbers.

Tables are recognised by their title or nearest heading (statements.heading_pattern); their unit comes
from the header ("Belopp i kr", "Belopp tkr", "Mkr") or the cell; each column's fiscal year and measure
from its header (column_headers.csv); each row's line from its printed label (the standard chart, the
association's own lines and label variants), or, for a row no line knows, an own line the report itself
teaches (ingest.learn: accepted only where its table foots with it). Every number of the document ends up as exactly one of: a fact; a review
item (a row whose label maps to no line, a number in running text: a narrative candidate); ignored by a
named rule; or unexplained. Every table statement of statements.csv is read, or said not to be: its
heading found with no table read, or not found at all (exit 1 where statements.required says it must be
printed).

Over 350 lines by choice: the Interpreter is one pass over the report model whose steps share the table
being read; the readers, the layout rule, the numbers and the label index are modules of their own.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path

from finsam.ingest.learn import Learner, Learnt
from finsam.ingest.model import (NEEDS_A_PERSON, Document, Heading, Paragraph, Place, Reading, ReviewItem, Row,
                                 Table, wrapped)
from finsam.ingest.numbers import BARE_YEAR, PrintedNumber, find_numbers, is_figure, read_number
from finsam.labels import LabelIndex, normalise_label

YEAR = re.compile(r"\b(19|20)\d{2}\b")
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
TITLE_WORDS = 7         # a line of running text this short that names a statement is its title
TITLE_LEVEL = 9         # a title line is the nearest heading until the next heading or title
LEADER = re.compile(r"\.{3,}")


@dataclass
class StatementReading:
    """Whether a table statement of the report was read: `read` (with its rows and facts), `heading
    without table` (its heading or title was found, no table under it was read) or `not found`."""
    statement: str
    name: str
    required: bool
    status: str = "not found"
    place: str = ""        # where its heading, title or first row stands
    heading: str = ""      # the heading as printed
    rows: int = 0          # table rows read into facts
    facts: int = 0

    @property
    def problem(self) -> str:
        if self.status == "heading without table":
            return f"{self.place}: heading {self.heading!r} found, no table read"
        return "not found in the report" if self.status == "not found" else ""


@dataclass
class Result:
    fact_columns: list[str]                                   # the fact layout facts.csv is written in
    facts: list[dict[str, str]] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)
    statements: list[StatementReading] = field(default_factory=list)
    learnt: Learnt = field(default_factory=Learnt)                 # the association's own lines, members, …
    source: Path | None = None                                     # the file read (review.html crops its pages)

    def count(self, kind: str) -> int:
        return sum(1 for item in self.review if item.kind == kind)

    @property
    def coverage(self) -> dict[str, int]:
        return {"facts": len(self.facts), "candidates": self.count("candidate"),
                "unmapped rows": len({(i.source_ref, i.text) for i in self.review if i.kind == "unmapped_label"}),
                "ignored": self.count("ignored"), "unexplained": self.count("unexplained")}

    @property
    def unread_required(self) -> list[StatementReading]:
        return [s for s in self.statements if s.required and s.status != "read"]

    @property
    def needs_review(self) -> bool:
        return bool(any(self.count(kind) for kind in NEEDS_A_PERSON) or self.unread_required)


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
    tree: list[dict[str, str]] = field(default_factory=list)
    units: dict[str, float] = field(default_factory=dict)   # unit -> factor to its base unit
    members: list[dict[str, str]] = field(default_factory=list)   # every known association's funding_members

    def __post_init__(self) -> None:
        self.standard = {(r["statement"], r["line_id"]): r for r in self.catalogue if not r.get("org_id")}
        # the totals of the standard chart that sum an association's own lines, per statement
        self.anchoring_totals: dict[str, set[str]] = {}
        for row in self.tree:
            if row["child_line_id"] == "{anchored}":
                self.anchoring_totals.setdefault(row["statement"], set()).add(row["parent_line_id"])

    @classmethod
    def load(cls, seeds_dir: Path, more_variants: list[dict[str, str]] = (),
             more_own_lines: list[dict[str, str]] = (), more_members: list[dict[str, str]] = ()) -> "Reference":
        """The seeds' reference data, with an association's own lines, label variants and members beyond the seeds'."""
        reference = seeds_dir / "reference"
        catalogue = _read(reference / "line_catalogue.csv") + _read(reference / "own_lines.csv") + list(more_own_lines)
        return cls(_read(reference / "statements.csv"),
                   sorted(_read(reference / "column_headers.csv"), key=lambda r: int(r["priority"])),
                   catalogue, LabelIndex.build([r for r in catalogue if not r.get("org_id")],
                                               _read(reference / "label_variants.csv") + list(more_variants),
                                               [r for r in catalogue if r.get("org_id")]),
                   _read(reference / "calculation_tree.csv"),
                   {r["unit"]: float(r["factor_to_base"]) for r in _read(reference / "units.csv")},
                   _read(reference / "funding_members.csv") + list(more_members))

    def members_of(self, org_id: str) -> set[str]:
        """The Note 2 lines of the association's known members."""
        return {r["line_id"] for r in self.members if r["org_id"] == org_id}

    def line_kind(self, statement: str, line_id: str) -> str | None:
        """item, subtotal or total for a line of the standard chart; None for any other id."""
        row = self.standard.get((statement, line_id))
        return row["line_kind"] if row else None

    def label_of(self, statement: str, line_id: str) -> str:
        return f"'{self.standard[(statement, line_id)]['label_sv']}'" if (statement, line_id) in self.standard else line_id

    def line_sign(self, statement: str, line_id: str) -> str:
        return self.standard[(statement, line_id)]["sign"]

    def children_of(self, statement: str, total: str) -> dict[str, float]:
        """A standard total's terms in the calculation tree: child line (or '{anchored}') -> weight."""
        return {r["child_line_id"]: float(r["weight"]) for r in self.tree
                if (r["statement"], r["parent_line_id"]) == (statement, total) and r["parent_measure"] == "*"}

    def unit_factor(self, unit: str) -> float:
        return self.units.get(unit, 1.0)

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

    def unit_if_unprinted(self, org_id: str, statement: str, line_id: str) -> str:
        return next((r["unit_if_unprinted"] for r in self.catalogue
                     if (r["statement"], r["line_id"]) == (statement, line_id) and r.get("org_id", "") in ("", org_id)), "")


def _is_header_row(row: Row) -> bool:
    """A leading row of column headers: no figures in it (a bare year is a header, not a figure)."""
    return not any(is_figure(c) for c in row.cells[1:] if c)


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
        self.readings = {r["statement"]: StatementReading(r["statement"], r["name_sv"], r.get("required") == "true")
                         for r in reference.statements if r["layout"] == "table"}
        self.learner = Learner(reference, org_id)

    def section(self) -> str:
        return self.headings[max(self.headings)] if self.headings else ""

    def where(self, place: Place) -> str:
        return f"{self.section()} ({place})" if self.section() else str(place)

    def run(self, document: Document) -> Result:
        for block in document.blocks:
            if isinstance(block, Heading):
                self.heading(block.text, block.level, block.place)
                self.running_text(block.text, block.place, heading=True)
            elif isinstance(block, Paragraph):
                if self.is_title(block.text):  # a statement's title on a line of its own (layout text, PDF)
                    self.heading(block.text, TITLE_LEVEL, block.place)
                self.running_text(block.text, block.place)
            elif isinstance(block, Table):
                self.table(block)
        self.learner.settle(self.result)
        self.without_conflicting_figures()
        self.account_for_statements()
        self.result.learnt = self.learner.learnt
        return self.result

    def heading(self, text: str, level: int, place: Place) -> None:
        self.headings = {k: v for k, v in self.headings.items() if k < level}
        self.headings[level] = text
        self.saw_title(text, place)

    def is_title(self, text: str) -> bool:
        return (len(text.split()) <= TITLE_WORDS and not LEADER.search(text)
                and self.reference.statement_of(text) is not None)

    def saw_title(self, text: str, place: Place) -> None:
        reading = self.readings.get(self.reference.statement_of(text) or "")
        if reading is not None and not reading.heading and not LEADER.search(text):
            reading.heading, reading.place = text, str(place)

    def without_conflicting_figures(self) -> None:
        """Two figures read for one line, measure and year that differ (a table whose year header was not
        read, so that every column seemed the report's year) are no facts: each is a review item."""
        def key(fact: dict[str, str]) -> tuple[str, ...]:
            return tuple(fact[c] for c in ("report_year", "fiscal_year", "statement", "line_id", "measure"))

        values: dict[tuple, set[str]] = {}
        for fact in self.result.facts:
            values.setdefault(key(fact), set()).add(fact["value"])
        conflicting = {k for k, v in values.items() if len(v) > 1}
        for fact in [f for f in self.result.facts if key(f) in conflicting]:
            others = sorted(values[key(fact)] - {fact["value"]})
            self.add(ReviewItem("", fact["source_ref"], fact["label_printed"], fact["value"], value=fact["value"],
                                unit=fact["unit"], decimals=fact["decimals"], statement=fact["statement"],
                                line_id=fact["line_id"], measure=fact["measure"], fiscal_year=fact["fiscal_year"]),
                     "unexplained", rule=f"another figure of the same line and year was read too ({', '.join(others)}): "
                                         "the column's year is in doubt; type the figures of this table by hand")
        self.result.facts = [f for f in self.result.facts if key(f) not in conflicting]

    def account_for_statements(self) -> None:
        """Every table statement read, or a review item saying it was not (see StatementReading)."""
        for reading in self.readings.values():
            reading.facts = sum(1 for f in self.result.facts if f["statement"] == reading.statement)
            reading.status = "read" if reading.facts else ("heading without table" if reading.heading else "not found")
            if reading.status != "read":
                self.add(ReviewItem("", reading.place, reading.name, statement=reading.statement), "statement_not_read",
                         rule=reading.problem + ("" if reading.required else " (a report may leave it out)"))
        self.result.statements = list(self.readings.values())

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
        titles = [(r.cells[0], r.place) for r in header_rows if r.cells[0] and self.reference.statement_of(r.cells[0])]
        title = [text for text, _ in titles[:1]]
        for text, place in titles[:1]:
            self.saw_title(text, place)
        nearest_first = [self.headings[level] for level in sorted(self.headings, reverse=True)]
        statement = next((s for s in map(self.reference.statement_of, title + nearest_first) if s), None)
        if statement is None or statement in TEXT_STATEMENTS:
            for row in data_rows:
                self.unknown_table_row(row)
            return
        reading = self.readings.get(statement)
        if reading is not None and not reading.place:
            reading.place = str(table.place)
        width = max(len(r.cells) for r in table.rows)
        columns = self.columns(statement, header_rows, width)
        unit = _table_unit([r.cells[0] for r in header_rows] + title + nearest_first[:1])
        rows = self.wrapped_labels_joined(statement, data_rows)
        self.learner.propose(statement, rows, lambda row: self.where(row.place))
        for row in rows:
            self.table_row(statement, row, columns, unit)

    def wrapped_labels_joined(self, statement: str, rows: list[Row]) -> list[Row]:
        """A label that wrapped onto a line of its own where the layout does not show it ("Lokala
        utbildningar" / its figures / "Västerås"): a row whose label means no line and the row of only a
        label below (or above) it are one row when together they are one known label."""
        rows = list(rows)
        labels = self.reference.labels
        k = 0
        while k < len(rows):
            row = rows[k]
            if row.cells[0] and not labels.lines_for(self.org_id, statement, row.cells[0]) \
                    and any(re.search(r"\d", c) for c in row.cells[1:]):
                for j in (k + 1, k - 1):
                    if 0 <= j < len(rows) and rows[j].cells[0] and not any(rows[j].cells[1:]):
                        label = wrapped(row.cells[0], rows[j].cells[0]) if j > k else wrapped(rows[j].cells[0], row.cells[0])
                        if len(labels.lines_for(self.org_id, statement, label)) == 1:
                            rows[k] = dataclasses.replace(row, cells=[label, *row.cells[1:]])
                            del rows[j]
                            k -= j < k
                            break
            k += 1
        return rows

    def columns(self, statement: str, header_rows: list[Row], width: int) -> dict[int, tuple[int | None, str, str]]:
        """Column index -> (fiscal year, measure, ignore rule), from the header cells above each column. A
        column whose header is blank or names only a measure ("Kostnad") belongs to the group header of
        the nearest column to its left that names a year ("Utfall 2023" above "Intäkt"): it takes that
        year, and that header's measure when its own is blank."""
        columns: dict[int, tuple[int | None, str, str]] = {}
        group: tuple[int, str, str] | None = None   # the year, measure and ignore rule of the last group
        for j in range(1, width):
            header = normalise_label(" ".join(r.cells[j] for r in header_rows if j < len(r.cells)))
            year = YEAR.search(header)
            measure, ignore = self.reference.column(statement, header) if header else ("amount", "")
            if year:
                group = (int(year.group(0)), measure, ignore)
                columns[j] = group
            elif group and not header:
                columns[j] = group
            elif group and measure != "amount" and not ignore:
                columns[j] = (group[0], measure, ignore)
            else:
                columns[j] = (self.report_year if not header else None, measure, ignore)
        return columns

    def table_row(self, statement: str, row: Row, columns: dict, unit: str | None) -> None:
        label = row.cells[0]
        numbers = [(j, read_number(c), c) for j, c in enumerate(row.cells) if j > 0 and re.search(r"\d", c)]
        if not numbers:
            return  # a section header or a row of words ("Inga")
        lines = self.reference.labels.lines_for(self.org_id, statement, label) if label else set()
        facts_before = len(self.result.facts)
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
                          number.unit or self.reference.unit_if_unprinted(self.org_id, statement, line_id) or unit or "kr",
                          row.place, row.readings.get(j))
        if len(self.result.facts) > facts_before and statement in self.readings:
            self.readings[statement].rows += 1

    def unknown_table_row(self, row: Row) -> None:
        toc = bool(TOC_LEADER.search(row.cells[0]))
        for cell in row.cells[1:]:
            if not cell or not re.search(r"\d", cell):
                continue
            item = ReviewItem("", self.where(row.place), row.cells[0], cell)
            if toc and read_number(cell):
                self.add(item, "ignored", rule="table of contents page number")
            else:
                self.running_text(" ".join(row.cells), row.place, in_table=True)
                return

    def fact(self, statement, line_id, measure, year, label, number: PrintedNumber, unit, place,
             reading: Reading | None = None) -> None:
        """A fact row; a figure read by OCR carries its confidence and, in its source reference, its box."""
        remark = "; ".join(number.notes)
        where = self.where(dataclasses.replace(place, item=str(reading)) if reading else place)
        values = {"org_id": self.org_id, "report_year": str(self.report_year), "fiscal_year": str(year),
                  "statement": statement, "line_id": line_id, "measure": measure, "label_printed": label,
                  "value": number.canonical, "unit": unit, "decimals": str(number.decimals),
                  "source_ref": where, "remark": (f"printed '{number.text}': {remark}" if remark else ""),
                  "confidence": f"{reading.confidence:.1f}" if reading else ""}
        self.result.facts.append({c: values.get(c, "") for c in self.result.fact_columns})

    # ------------------------------------------------------------------------------------------ text

    def running_text(self, text: str, place: Place, heading: bool = False, in_table: bool = False) -> None:
        """The numbers of a heading, a paragraph or a row of a table no statement's heading names: each
        ignored by a rule or a candidate (never a fact without a person)."""
        self.learner.learnt.saw_text(text)
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
                     fiscal_year=str(self.report_year),
                     rule=("a figure of a table under no statement's heading" if in_table else "a number in running text")
                     + ": accept it as a fact by hand",
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
