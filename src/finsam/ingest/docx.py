"""Reader for a Word .docx, with python-docx: paragraphs and tables in the order of the document body;
a paragraph in a heading style ("Heading N", "Rubrik N") is a heading of level N."""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from finsam.ingest.model import Document, Heading, Paragraph, Place, Progress, Row, Table
from finsam.ingest.text import UnreadableSource, clean

HEADING_STYLE = re.compile(r"^(?:heading|rubrik)\s*(\d)$", re.IGNORECASE)


MAX_UNPACKED = 200 * 1024 * 1024   # bytes: a cap on what a .docx may unpack to (an annual report: a few MB)


def read_docx(path: Path, progress: Progress | None = None) -> Document:
    import docx
    from docx.opc.exceptions import OpcError
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph
    from lxml.etree import LxmlError

    try:
        with zipfile.ZipFile(path) as package:  # its parts' sizes before anything is unpacked
            unpacked = sum(info.file_size for info in package.infolist())
        if unpacked > MAX_UNPACKED:
            raise UnreadableSource(f"{path}: the .docx unpacks to {unpacked // 2**20} MB; finsam reads at most "
                                   f"{MAX_UNPACKED // 2**20} MB (a report with its pictures is a few MB): "
                                   "save the report without embedded files")
        word = docx.Document(str(path))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OpcError, LxmlError, KeyError, ValueError,
            OSError) as err:
        raise UnreadableSource(f"{path}: not a readable Word .docx file ({err.__class__.__name__}): the file is "
                               "damaged or no .docx; save it again from Word or LibreOffice as .docx") from None
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
