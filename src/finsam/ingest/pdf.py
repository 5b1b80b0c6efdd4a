"""Reader for a PDF with a text layer, with pdfplumber (chosen over PyMuPDF: see the README).

Tables are found by their ruling lines; the text outside them is read line by line, a line in a larger
font than the body text being a heading (the largest size level 1). A table that goes on at the top of the
next page is one table (Document.append). Every block carries its page.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from finsam.ingest.model import Document, Heading, Paragraph, Place, Row, Table
from finsam.ingest.text import UnreadableSource, clean


def read_pdf(path: Path) -> Document:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pdf = pdfplumber.open(path)
    except (PDFSyntaxError, OSError, ValueError) as err:
        raise UnreadableSource(f"{path}: not a readable PDF ({err.__class__.__name__})") from None
    with pdf:
        pages = [(number, page, page.find_tables(), page.extract_text_lines(strip=True))
                 for number, page in enumerate(pdf.pages, start=1)]
        sizes = Counter(round(c["size"]) for _, _, _, lines in pages for line in lines for c in line["chars"])
        if not sizes:
            raise UnreadableSource(f"{path}: the PDF has no text layer (a scan?); finsam reads PDFs with text")
        body = sizes.most_common(1)[0][0]
        heading_sizes = sorted({s for s in sizes if s > body}, reverse=True)
        document = Document(str(path))
        for number, page, tables, lines in pages:
            placed: list[tuple[float, object]] = []
            for found in tables:
                rows = [Row([clean((cell or "").replace("\n", " ")) for cell in cells], Place(page=number))
                        for cells in found.extract()]
                placed.append((found.bbox[1], Table(rows)))
            for line in lines:
                middle = (line["top"] + line["bottom"]) / 2
                if any(t.bbox[1] <= middle <= t.bbox[3] and t.bbox[0] <= line["x0"] <= t.bbox[2] for t in tables):
                    continue
                text = clean(line["text"])
                size = max(round(c["size"]) for c in line["chars"])
                block = (Heading(text, heading_sizes.index(size) + 1, Place(page=number)) if size in heading_sizes
                         else Paragraph(text, Place(page=number)))
                placed.append((line["top"], block))
            for _, block in sorted(placed, key=lambda item: item[0]):
                document.append(block)
    return document
