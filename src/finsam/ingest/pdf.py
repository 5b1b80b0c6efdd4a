"""Reader for a PDF with a text layer, with pdfplumber (chosen over PyMuPDF: see the README).

Every line of a page becomes positioned words (from the characters' x-coordinates) and the positional
table rule (ingest.layout) finds the tables, without ruling lines. Where the PDF does rule a table's
cells, the cells are read as ruled: a cell too narrow for its figure wraps it ("11" above "006"), which
only the cell's lines join. A line in a larger font than the body text is a heading (the largest size
level 1). A table that goes on at the top of the next page is one table (Document.append). Every block
carries its page.

A page without a text layer (a scan) is read by OCR (ingest.ocr) into the same positioned words; its lines
are never headings (a statement's title is found by its words, as in layout text).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from finsam.ingest.layout import Line, Word, blocks, ocr_scale, pdf_scale
from finsam.ingest.model import Document, Heading, Paragraph, Place, Progress, Row, Table
from finsam.ingest.text import UnreadableSource, clean

if TYPE_CHECKING:
    from finsam.ingest.ocr import OcrPage

MAX_PAGES = 1000   # pages: a cap on what one file may make finsam read
WORD_GAP = 0.15    # ems: characters further apart than this are two words (a space is about a quarter em)
SPACE_ABOVE = 0.7  # ems: a gap this tall above a line is a blank line
LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                           "\ufb05": "st", "\ufb06": "st"})  # a browser prints "fi" as one glyph


def read_pdf(path: Path, progress: Progress | None = None) -> Document:
    """`progress(page, pages)` is told of each page read (a long report takes seconds a page)."""
    import pdfplumber

    sizes: Counter[int] = Counter()   # characters per font size, for the body text's size
    pages = []
    with _plumbed(path, 0, lambda: pdfplumber.open(path)) as pdf:
        n_pages = _plumbed(path, 0, lambda: len(pdf.pages))
        if n_pages > MAX_PAGES:
            raise UnreadableSource(f"{path}: the PDF has {n_pages} pages; finsam reads at most {MAX_PAGES} "
                                   "(an annual report has a few dozen): give it the report alone")
        for number in range(1, n_pages + 1):
            ruled, lines = _plumbed(path, number, lambda: _extracted(pdf.pages[number - 1]))
            pages.append(_page(number, ruled, lines, sizes))
            if progress:
                progress(number, n_pages)
    scanned = _read_scanned(path, [number for number, ruled, lines in pages if not ruled and not lines], n_pages, progress)
    read_by_ocr, ocr_body = _scanned_lines(scanned)
    pages = [(number, ruled, read_by_ocr.get(number, lines)) for number, ruled, lines in pages]
    if sizes:
        body = sizes.most_common(1)[0][0]
        scale = pdf_scale(body)
    else:  # a scan through and through: Tesseract's measure of its lines, and wider gaps between its cells
        body, scale = ocr_body, ocr_scale(ocr_body)
    heading_sizes = sorted({s for s in sizes if s > body}, reverse=True)
    document = Document(str(path))
    run: list[Line] = []

    def flush() -> None:
        for block in blocks(run, scale):
            if isinstance(block, Paragraph):
                block.text = clean(block.text)
            document.append(block)
        run.clear()

    for number, ruled, lines in pages:
        bottom = None
        for line in lines:
            middle = (line.top + line.bottom) / 2
            while ruled and ruled[0][0][3] < middle:  # a ruled table above this line: its place in the order
                flush()
                document.append(ruled.pop(0)[1])
            if ruled and ruled[0][0][1] <= middle and ruled[0][0][0] <= line.x0 <= ruled[0][0][2]:
                continue
            place = Place(page=number)
            if line.size in heading_sizes:
                flush()
                document.append(Heading(clean(" ".join(w.text for w in line.words)), heading_sizes.index(line.size) + 1,
                                        place))
            else:
                run.append(Line(line.words, place, space_above=bottom is None or line.top - bottom > SPACE_ABOVE * body))
            bottom = line.bottom
        for _, table in ruled:  # ruled tables below the page's last line
            flush()
            document.append(table)
    flush()
    return document


def _read_scanned(path: Path, numbers: list[int], n_pages: int, progress: Progress | None) -> dict[int, OcrPage]:
    """The pages without a text layer that OCR reads legibly (a blank page or a photograph is left out); a
    file in which no page has legible text is unreadable, each page named."""
    from finsam.ingest.ocr import NoOcr, read_pages

    if not numbers:
        return {}
    try:
        # one count over both passes: the text pass's pages, then the pages OCR reads (the bar never restarts)
        pages = read_pages(path, numbers, progress=progress and (lambda done, of: progress(n_pages + done, n_pages + of)))
    except NoOcr as err:
        raise UnreadableSource(f"{path}: pages {_span(numbers)} have no text layer (a scan) and {err}") from None
    if not any(page.legible for page in pages) and len(numbers) == n_pages:
        raise UnreadableSource(f"{path}: a scan with no legible text: " + "; ".join(
            f"page {page.number}: " + ("blank" if page.confidence is None else
                                       f"no text read with confidence (median {page.confidence:.0f} of 100)")
            for page in pages) + ". Scan the printed report again, upright, at 300 dpi")
    return {page.number: page for page in pages if page.legible}


def _span(numbers: list[int]) -> str:
    return f"{numbers[0]}–{numbers[-1]}" if len(numbers) > 1 and numbers == list(range(numbers[0], numbers[-1] + 1)) \
        else ", ".join(map(str, numbers))


def _scanned_lines(scanned: dict[int, OcrPage]) -> tuple[dict[int, list[_PageLine]], int]:
    """The lines of the pages read by OCR, none a heading (Tesseract measures a line's size to a pixel or two,
    too roughly to tell a heading by it; a statement's title is found by its words, as in layout text), and
    the body text's font size in points (the median of the sizes Tesseract measured)."""
    import statistics

    sizes = [line.size for page in scanned.values() for line in page.lines]
    return ({number: [_PageLine(line.words, line.top, line.bottom, line.x0, 0) for line in page.lines]
             for number, page in scanned.items()}, round(statistics.median(sizes)) if sizes else 0)


@dataclass
class _PageLine:
    words: list[Word]
    top: float
    bottom: float
    x0: float
    size: int     # its largest font size (0: read by OCR, never a heading)


def _page(number: int, ruled: list, lines: list[dict], sizes: Counter) -> tuple[int, list, list[_PageLine]]:
    """What the reader keeps of a page: its ruled tables (bounding box, table) top to bottom and its lines
    of words; the font sizes of its characters are counted into `sizes`."""
    tables = sorted(((bbox, _ruled(cells, number)) for bbox, cells in ruled), key=lambda r: r[0][1])
    kept = []
    for line in lines:
        sizes.update(round(c["size"]) for c in line["chars"])
        words = _words(line["chars"])
        if words:
            kept.append(_PageLine(words, line["top"], line["bottom"], line["x0"],
                                  max(round(c["size"]) for c in line["chars"])))
    return number, tables, kept


def _extracted(page) -> tuple[list, list[dict]]:
    """pdfplumber's ruled tables (bounding box, cells) and lines of a page; the page is closed after (what
    pdfplumber holds of a page is many times its text)."""
    ruled = [(t.bbox, t.extract()) for t in page.find_tables()]
    lines = page.extract_text_lines(strip=True, return_chars=True)
    page.close()
    return ruled, lines


def _plumbed(path: Path, page: int, call):
    """call(), which runs pdfplumber on the file: a damaged PDF fails inside pdfminer in many ways (its
    syntax errors, zlib, struct, key and type errors, which pdfplumber may wrap), each an UnreadableSource
    naming the file and page. Only pdfplumber runs in here: an error of finsam's own code is not hidden."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        return call()
    except Exception as err:  # noqa: BLE001 - see above
        cause = err.args[0] if isinstance(err, PdfminerException) and err.args and isinstance(err.args[0], Exception) else err
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise UnreadableSource(f"{path}: the PDF is password-protected: save a copy without a password and "
                                   "ingest that") from None
        raise UnreadableSource(f"{path}{f' (page {page})' if page else ''}: not a readable PDF "
                               f"({cause.__class__.__name__}): the file is damaged, cut short or no PDF; export it "
                               "again from its source") from None


def _ruled(cells: list[list[str | None]], page: int) -> Table:
    """A ruled table from its cells as pdfplumber extracts them (a cell's lines joined)."""
    return Table([Row([clean((cell or "").replace("\n", " ").translate(LIGATURES)) for cell in row], Place(page=page))
                  for row in cells])


def _words(chars: list[dict]) -> list[Word]:
    """The words of a line: characters split at a space or at a gap wider than WORD_GAP (many producers
    print no space characters, only the gap); a non-breaking or thin space stays inside its word."""
    words: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: c["x0"]):
        if words and words[-1] and char["text"] == words[-1][-1]["text"] and abs(char["x0"] - words[-1][-1]["x0"]) < 0.5:
            continue  # a glyph drawn twice at one place (Chromium's ligatures, bold by overprinting) is one
        if char["text"] in (" ", "\t"):
            words.append([])
        elif words and words[-1] and char["x0"] - words[-1][-1]["x1"] <= WORD_GAP * char["size"]:
            words[-1].append(char)
        else:
            words.append([char])
    return [Word("".join(c["text"] for c in word).translate(LIGATURES), word[0]["x0"], max(c["x1"] for c in word))
            for word in words if word]
