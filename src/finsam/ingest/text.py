"""Reader for a report as text: markdown headings, tab-separated table rows (blank cells kept), <b> and
other markup in cells, paragraphs. Every block carries its line number."""

from __future__ import annotations

import html
import re
from pathlib import Path

from finsam.ingest.model import Document, Heading, Paragraph, Place, Row, Table

HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
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
    table: Table | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if "\t" in line:
            if table is None:
                table = Table()
                document.blocks.append(table)
            table.rows.append(Row([clean(cell) for cell in line.split("\t")], Place(line=number)))
            continue
        table = None
        if not line.strip():
            continue
        heading = HEADING.match(line)
        if heading:
            document.blocks.append(Heading(clean(heading[2]), len(heading[1]), Place(line=number)))
        else:
            document.blocks.append(Paragraph(clean(line), Place(line=number)))
    return document
