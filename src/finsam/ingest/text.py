"""Reader for a report as text: markdown headings, paragraphs, and tables either tab-separated (blank
cells kept) or aligned with spaces, as a PDF's text layer or `pdftotext -layout` gives them: cells are
runs of text with single spaces inside, two or more spaces between, and each cell belongs to the column
whose numbers end nearest to where it ends. Markup (<b>, **) is dropped. Every block carries its line."""

from __future__ import annotations

import html
import re
from pathlib import Path

from finsam.ingest.model import Document, Heading, Paragraph, Place, Row, Table
from finsam.ingest.numbers import read_number

HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
CELL = re.compile(r"[^ \t]+(?: [^ \t]+)*")  # single spaces inside a cell, two or more between (NBSP is inside)
LABEL_COLUMN = 2                     # a cell starting this far left is the row's label
MARKUP = re.compile(r"<[^>]+>|\*\*|~~|(?<!\w)\*|\*(?!\w)")


class UnreadableSource(Exception):
    """The file cannot be read as a report (exit 2)."""


def clean(text: str) -> str:
    """Cell or line text without markup, with single spaces (non-breaking and thin spaces kept)."""
    return re.sub(r"[ \t]+", " ", html.unescape(MARKUP.sub("", text))).strip()


def read_text(path: Path) -> Document:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise UnreadableSource(f"{path}: {err.strerror}") from None
    if raw.startswith((b"%PDF", b"PK\x03\x04")):
        raise UnreadableSource(f"{path}: this is a PDF or Word file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise UnreadableSource(f"{path}:{line}: the text is not UTF-8; save it as UTF-8") from None
    document = Document(str(path))
    lines = text.splitlines()
    aligned: list[tuple[int, str]] = []  # a run of space-aligned lines, read as one table or as paragraphs
    for number, line in enumerate(lines, start=1):
        if "\t" not in line and not HEADING.match(line) and (_is_aligned(line) or (aligned and not line.strip())):
            aligned.append((number, line))
            continue
        _flush(document, aligned)
        aligned = []
        if "\t" in line:
            document.append(Table([Row([clean(cell) for cell in line.split("\t")], Place(line=number))]))
        elif not line.strip():
            continue
        elif heading := HEADING.match(line):
            document.append(Heading(clean(heading[2]), len(heading[1]), Place(line=number)))
        else:
            document.append(Paragraph(clean(line), Place(line=number)))
    _flush(document, aligned)
    return document


def _cells(line: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in CELL.finditer(line)]


def _is_aligned(line: str) -> bool:
    """Columns separated by two or more spaces, or text indented into a column (a header above numbers)."""
    cells = _cells(line)
    return len(cells) >= 2 or (len(cells) == 1 and cells[0][0] > LABEL_COLUMN and len(line) - len(line.lstrip()) >= 8)


def _flush(document: Document, aligned: list[tuple[int, str]]) -> None:
    """A run of aligned lines: tables where a cell right of the label holds a number, else paragraphs. A new
    table starts where the numbers stop lining up with the columns so far (the next table, printed right
    after this one); the rows without numbers just before it (its header) go with it."""
    segments: list[list[tuple[int, list]]] = [[]]
    edges: list[tuple[int, int]] = []
    pending: list[tuple[int, list]] = []
    for n, line in aligned:
        if not line.strip():
            continue
        cells = _cells(line)
        spans = [(start, end) for start, end, text in cells if start > LABEL_COLUMN and read_number(text) is not None]
        if not spans:
            pending.append((n, cells))
            continue
        # compare on the edge the table's numbers align on (once two rows show it), within a character
        aligned_on = (1, 0) if len(segments[-1]) < 2 else [min((1, 0), key=lambda e: len(_clusters([k[e] for k in edges])))]
        lines_up = any(all(any(abs(span[e] - known[e]) <= 1 for known in edges) for span in spans) for e in aligned_on)
        if edges and not lines_up:
            segments.append([])
            edges = []
        segments[-1] += pending + [(n, cells)]
        pending = []
        edges += spans
    segments[-1] += pending
    for rows in segments:
        _one_table(document, rows)


def _one_table(document: Document, rows: list[tuple[int, list]]) -> None:
    numbers = [(start, end) for _, cells in rows for start, end, text in cells
               if start > LABEL_COLUMN and read_number(text) is not None]
    if not numbers:
        for n, cells in rows:
            document.append(Paragraph(clean(" ".join(text for _, _, text in cells)), Place(line=n)))
        return
    # Columns from the numbers: right-aligned figures share a right edge, left-aligned ones a left edge;
    # the edge that groups them into fewer columns is the one the table is aligned on.
    edge = min((1, 0), key=lambda e: len(_clusters([span[e] for span in numbers])))
    columns = _clusters([span[edge] for span in numbers])

    def column_of(start: int, end: int) -> int:
        at = (start, end)[edge]
        return min(range(len(columns)), key=lambda k: abs(columns[k] - at))

    table = Table()
    for n, cells in rows:
        out = [""] * (len(columns) + 1)
        for start, end, text in cells:
            k = 0 if start <= LABEL_COLUMN else column_of(start, end) + 1
            out[k] = f"{out[k]} {text}".strip()
        table.rows.append(Row([clean(cell) for cell in out], Place(line=n)))
    document.append(table)


def _clusters(edges: list[int]) -> list[int]:
    """Positions within two characters of each other are one column (its mean position)."""
    groups: list[list[int]] = []
    for edge in sorted(edges):
        if groups and edge - groups[-1][-1] <= 2:
            groups[-1].append(edge)
        else:
            groups.append([edge])
    return [sum(g) / len(g) for g in groups]
