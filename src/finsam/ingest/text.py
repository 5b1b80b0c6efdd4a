"""Reader for a report as text: markdown headings, paragraphs, and tables either tab-separated (blank
cells kept) or aligned with spaces, as `pdftotext -layout` gives them. Space-aligned lines are read by the
positional table rule (ingest.layout) with character columns, the same rule the PDF reader applies to
points. Markup (<b>, **) is dropped. Every block carries its line."""

from __future__ import annotations

import html
import re
from pathlib import Path

from finsam.ingest.layout import TEXT_SCALE, Line, Word, blocks, page_tail
from finsam.ingest.model import Document, Heading, Paragraph, Place, Progress, Row, Table

HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
WORD = re.compile(r"[^ \t]+")  # non-breaking and thin spaces stay inside a word ("306\u00a0506")
MARKUP = re.compile(r"<[^>]+>|\*\*|~~|(?<!\w)\*|\*(?!\w)")


class UnreadableSource(Exception):
    """The file cannot be read as a report (exit 2)."""


def clean(text: str) -> str:
    """Cell or line text without markup, with single spaces (non-breaking and thin spaces kept)."""
    return re.sub(r"[ \t]+", " ", html.unescape(MARKUP.sub("", text))).strip()


def read_text(path: Path, progress: Progress | None = None) -> Document:
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
    run: list[Line] = []   # lines between headings and tab-separated tables, read by the positional rule
    blank = False
    # lines end at a newline only: a form feed (a page break of pdftotext) or a vertical tab is inside a line
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        heading = HEADING.match(line)
        if "\t" in line or heading:
            _flush(document, run)
            run = []
        elif "\f" in line:  # a new page, whose columns pdftotext places anew: its own run, with any header
            carried = page_tail(run, TEXT_SCALE)  # lines at the foot of the page above
            _flush(document, run[:carried])
            run = run[carried:]
        if "\t" in line:
            document.append(Table([Row([clean(cell) for cell in line.split("\t")], Place(line=number))]))
        elif heading:
            document.append(Heading(clean(heading[2]), len(heading[1]), Place(line=number)))
        elif line.strip():
            plain = html.unescape(MARKUP.sub("", line.replace("\f", "")))  # a form feed takes no column
            run.append(Line([Word(m.group(), m.start(), m.end()) for m in WORD.finditer(plain)], Place(line=number),
                            space_above=blank))
        blank = not line.strip()
    _flush(document, run)
    return document


def _flush(document: Document, run: list[Line]) -> None:
    for block in blocks(run, TEXT_SCALE):
        if isinstance(block, Paragraph):
            block.text = clean(block.text)
        document.append(block)
