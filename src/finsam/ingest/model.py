"""The one model of a report that every reader produces and the interpreter reads: headings, paragraphs
and tables of cells, each with where a person finds it (line of a text file, page of a PDF); and the
review items ingest writes beside the facts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from finsam.ingest.numbers import is_figure


Progress = Callable[[int, int], None]  # a reader tells it (done, of) as it goes


def wrapped(first: str, then: str) -> str:
    """Text that wrapped onto another line, joined: with a space, or none after a slash or hyphen that
    ends a word ("Insatskatalog/" + "indikatorer", but "JobbFokus 2.0 /" + "SPIRA")."""
    if not first or not then:
        return first or then
    return first + then if first.endswith(("/", "-")) and first[-2:-1].isalnum() else f"{first} {then}"


@dataclass(frozen=True)
class Place:
    line: int | None = None   # text: the line of the file
    page: int | None = None   # PDF: the page
    item: str = ""            # Word: e.g. "table 3, row 5", where a document has neither lines nor pages

    def __str__(self) -> str:
        return ", ".join(part for part in (f"page {self.page}" if self.page else "",
                                           f"line {self.line}" if self.line else "", self.item) if part)


@dataclass
class Heading:
    text: str
    level: int
    place: Place


@dataclass
class Paragraph:
    text: str
    place: Place


@dataclass(frozen=True)
class Reading:
    """How a cell read by OCR was read: its weakest character's confidence (0–100) and its box on the page
    (points from the top left)."""
    confidence: float
    box: tuple[float, float, float, float]

    def __str__(self) -> str:
        return "box " + ",".join(f"{v:.0f}" for v in self.box) + " pt"


# a figure read by OCR, as its source_ref names where it stands: Place's page, then Reading's box
WHERE_ON_PAGE = re.compile(r"page (\d+), box ([\d.]+),([\d.]+),([\d.]+),([\d.]+) pt")


def page_and_box(source_ref: str) -> tuple[int, tuple[float, float, float, float]] | None:
    """The page and box a source_ref names for a figure read by OCR; None for any other figure."""
    found = WHERE_ON_PAGE.search(source_ref)
    return (int(found[1]), (float(found[2]), float(found[3]), float(found[4]), float(found[5]))) if found else None


@dataclass
class Row:
    cells: list[str]  # by column; an empty string is a blank cell
    place: Place
    readings: dict[int, Reading] = field(default_factory=dict)   # cells read by OCR, by column


@dataclass
class Table:
    rows: list[Row] = field(default_factory=list)

    @property
    def place(self) -> Place:
        return self.rows[0].place if self.rows else Place()


Block = Heading | Paragraph | Table


@dataclass
class Document:
    source: str
    blocks: list[Block] = field(default_factory=list)

    def append(self, block: Block) -> None:
        """Add a block; a table that follows a table directly (across a page break or blank lines) with as
        many columns is the same table going on, and so is one with fewer columns that starts with a row
        of figures (no header of its own): its columns are the last ones of the table it goes on, as the
        year columns are (a Note column left blank on the new page is not printed there). Tables printed
        back to back are told apart by the interpreter, at the next table's title row."""
        previous = self.blocks[-1] if self.blocks else None
        if isinstance(block, Table) and isinstance(previous, Table) and block.rows and previous.rows:
            width, width_before = len(block.rows[0].cells), len(previous.rows[-1].cells)
            if width == width_before:
                previous.rows.extend(block.rows)
                return
            if width < width_before and any(is_figure(cell) for cell in block.rows[0].cells[1:]):
                padding = [""] * (width_before - width)
                previous.rows.extend(Row([row.cells[0], *padding, *row.cells[1:]], row.place,
                                         {k + len(padding) if k else k: r for k, r in row.readings.items()})
                                     for row in block.rows)
                return
        self.blocks.append(block)


# The review kinds of a figure read by OCR that may be wrong (ingest.proof_read): the diagnosis's
# misreading, another slip it blames on the figure, and a reading no passing check confirms.
DOUBTED_READINGS = ("misread", "blamed_figure", "uncertain_reading")
# The review kinds a person must settle before the facts are used: while any is listed, ingest exits 1 and
# names them on the console (review.csv and review.html list every item).
NEEDS_A_PERSON = ("not_proof_read", *DOUBTED_READINGS, "unmapped_label", "unexplained", "doubtful_pairing")


@dataclass
class ReviewItem:
    kind: str              # unmapped_label | candidate | ignored | unexplained | statement_not_read |
                           # own_line | member | doubtful_pairing (what ingest learnt of the association) |
                           # misread | blamed_figure | uncertain_reading | not_proof_read (a scan proof-read)
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
    implied_value: str = ""  # a blamed figure: the value that makes its checks hold
