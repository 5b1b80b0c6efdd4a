"""Reader for a Word .docx, with python-docx: paragraphs and tables in the order of the document body;
a paragraph in a heading style ("Heading N", "Rubrik N") is a heading of level N."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from finsam.ingest.model import Document, Heading, Paragraph, Place, Row, Table
from finsam.ingest.text import UnreadableSource, clean

HEADING_STYLE = re.compile(r"^(?:heading|rubrik)\s*(\d)$", re.IGNORECASE)


def read_docx(path: Path) -> Document:
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph

    try:
        word = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise UnreadableSource(f"{path}: not a readable Word .docx file ({err.__class__.__name__})") from None
    document = Document(str(path))
    n_tables = 0
    for n_block, element in enumerate(word.element.body.iterchildren(), start=1):
        if element.tag.endswith("}tbl"):
            n_tables += 1
            table = DocxTable(element, word)
            document.append(Table([
                Row([clean(cell.text.replace("\n", " ")) for cell in row.cells], Place(item=f"table {n_tables}, row {k}"))
                for k, row in enumerate(table.rows, start=1)]))
        elif element.tag.endswith("}p"):
            paragraph = DocxParagraph(element, word)
            text = clean(paragraph.text)
            if not text:
                continue
            style = HEADING_STYLE.match(paragraph.style.name if paragraph.style is not None else "")
            place = Place(item=f"paragraph {n_block}")
            document.append(Heading(text, int(style[1]), place) if style else Paragraph(text, place))
    return document
