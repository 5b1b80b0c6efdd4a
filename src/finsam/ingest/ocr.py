"""Reading scanned pages: a PDF page without a text layer is rendered, straightened and read by Tesseract 5
with its Swedish data (Debian's `tesseract-ocr`, `tesseract-ocr-swe`); the choice is in docs/decisions.md.

Tesseract's hOCR gives every character its box and confidence. The characters become positioned words
in points, as the PDF reader makes them from a text layer, and the same positional table rule reads
them (ingest.layout): a thousands space is a gap between two digits' boxes, whatever Tesseract took for
a word ("1276 476" is "1 276 476" where the gap after "1" is a space wide). Each word keeps the
confidence of its weakest character and its box, so a figure's reading says how sure it is and where
it stands on the page.

Pages are read in parallel, one Tesseract process a core, each with one thread (Tesseract's own threads
cost more than they give on a page). A page is read twice, for the text and for the figures; the second
reading sees only the lines that can hold a figure.

Over 350 lines by choice: the rules that turn Tesseract's characters into words (the two models'
readings, minus and marks, phantom brackets and points, thousands groups, rows of blocks) each mend what
another leaves, and are read and tested together.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from finsam.ingest.layout import Word
from finsam.ingest.page_image import POINTS, binarized, page_image

DIGIT_GAP = 0.4              # of a digit's height: two digits further apart are two groups ("1 276")
GROUP_PITCH = 1.2            # of a line's step from digit to digit: two digits' centres further apart are two groups
PITCH_SAMPLE = 6             # digit steps a line needs for its usual step to be known
REREAD_BELOW = 90         # a figure word read with less confidence than this in its line is read again alone
LEGIBLE = 50                 # a page whose words' median confidence is below this is no text Tesseract can read
TESSERACT_TIMEOUT = 120      # seconds a page may take


class NoOcr(Exception):
    """Tesseract (or its Swedish data) is not installed."""


@dataclass
class OcrLine:
    words: list[Word]
    top: float       # points from the page's top
    bottom: float
    x0: float
    size: float      # points: the font size Tesseract measured the line at (its x_size)


@dataclass
class OcrPage:
    number: int
    lines: list[OcrLine]
    confidence: float | None   # median confidence of its words (None: no word at all)

    @property
    def legible(self) -> bool:
        return self.confidence is not None and self.confidence >= LEGIBLE


def tesseract() -> str:
    found = shutil.which("tesseract")
    if found is None:
        raise NoOcr("Tesseract is not installed: apt-get install tesseract-ocr tesseract-ocr-swe")
    languages = subprocess.run([found, "--list-langs"], capture_output=True, text=True, check=False).stdout.split()
    if "swe" not in languages:
        raise NoOcr("Tesseract's Swedish data is not installed: apt-get install tesseract-ocr-swe")
    return found


def read_pages(path: Path, numbers: list[int], progress=None) -> list[OcrPage]:
    """The pages `numbers` (1-based) of the PDF at `path`, read by OCR."""
    import pypdfium2 as pdfium

    program = tesseract()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with tempfile.TemporaryDirectory(prefix="finsam-ocr-") as scratch:
        document = pdfium.PdfDocument(str(path))
        try:
            def render(number: int) -> Path:
                # pdfium is not thread-safe: pages are rendered here, one at a time, and read in parallel
                target = Path(scratch) / f"page-{number}.pgm"   # uncompressed: nothing to encode or decode
                binarized(page_image(document, number)).save(target)
                return target

            pages = []
            with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
                futures = {number: pool.submit(_read_page, program, render(number), env) for number in numbers}
                for done, (number, future) in enumerate(futures.items(), start=1):
                    pages.append(OcrPage(number, *future.result()))
                    if progress:
                        progress(done, len(numbers))
        finally:
            document.close()
    return pages


def _read_page(program: str, image: Path, env: dict[str, str]) -> tuple[list[OcrLine], float | None]:
    """A page read line by line, then every figure word that a line's reading leaves in doubt read again on
    its own as figure characters only: Tesseract reads a lone "0" between wide gaps as "[6]" or "(0)" in
    its line, and as "0" alone when it may read only what a figure is made of."""
    from PIL import Image

    page = Image.open(image)   # opened once: the figures' copy and the doubtful words' crops are cut from it
    text_words = _words(_hocr(program, image, env, psm=4))
    figure_lines = _figure_lines(page, text_words, image.with_name(f"{image.stem}-figures{image.suffix}"))
    words = _with_figures_of(text_words, _words(_hocr(program, figure_lines, env, psm=4, language=FIGURES_MODEL)))
    doubtful = [k for k, (_, chars) in enumerate(words) if _doubtful(chars)]
    if doubtful:
        crops = image.parent / f"{image.stem}-words"
        crops.mkdir()
        listed = []
        heights = _digit_heights(words)
        for k in doubtful:
            x0, top, x1, bottom = _box(words[k][1])
            # a margin of the line's digit height all round (Tesseract reads a lone digit right with white
            # around it), about the word's middle: a bracket or phantom "1" read beside a digit can be taller
            # and would reach into the rows above and below; a neighbour's digits in the margin are dropped below
            margin, middle = heights[words[k][0]], (top + bottom) / 2
            box = (max(0, int((x0 - margin) / POINTS)), max(0, int((middle - 1.5 * margin) / POINTS)),
                   int((x1 + margin) / POINTS), int((middle + 1.5 * margin) / POINTS))
            page.crop(box).save(crops / f"{k}.png")
            listed.append((k, box, x0, x1))
        (crops / "list.txt").write_text("".join(f"{crops / f'{k}.png'}\n" for k, *_ in listed), encoding="utf-8")
        # one Tesseract for all of them: each crop a page, read as one line (psm 7) of figure characters only
        again = _pages(_hocr(program, crops / "list.txt", env, psm=7, only=FIGURE_CHARACTERS, language=FIGURES_MODEL))
        for (k, (left, upper, _, _), x0, x1), reread in zip(listed, again):
            chars = [_Char(c.text, c.x0 + left * POINTS, c.top + upper * POINTS, c.x1 + left * POINTS,
                           c.bottom + upper * POINTS, c.confidence) for _, word in reread for c in word]
            kept = [c for c in chars if x0 <= (c.x0 + c.x1) / 2 <= x1]   # not a neighbour's edge
            first = chars.index(kept[0]) if kept else 0
            if first and chars[first - 1].text in MINUSES:
                kept.insert(0, chars[first - 1])   # a minus the line's reading left out ("-4" read "4")
            if any(c.text.isdigit() for c in kept) and _keeps_sure_digits(words[k][1], kept):
                words[k] = (words[k][0], kept)
    return _assembled(words)


def _figure_lines(page, words: list, target: Path) -> Path:
    """The page, written to `target`, with every line whose text reading has only words of letters whited
    out: the figures' model is heeded only for a word that may be a figure (_may_be_figure), and reading the
    text lines again would cost half its time. The lines it reads keep their own pixels where a whited-out
    box overlaps them."""
    from PIL import ImageDraw

    by_line: dict = {}
    for line, chars in words:
        by_line.setdefault(line, []).append(chars)
    lines = [(tuple(round(v / POINTS) for v in _box([c for chars in line for c in chars])),
              any(_may_be_figure(chars) for chars in line)) for line in by_line.values()]
    figures = page.copy()
    draw = ImageDraw.Draw(figures)
    for box, kept in lines:
        if not kept:
            draw.rectangle(box, fill=255)
    for (x0, top, x1, bottom), kept in lines:
        if kept:   # a pixel wider all round than the characters' boxes, edges included
            box = (max(0, x0 - 1), max(0, top - 1), x1 + 2, bottom + 2)
            figures.paste(page.crop(box), box[:2])
    figures.save(target)
    return target


def _digit_heights(words: list) -> dict:
    """Each line's usual height of a digit (the median of its digits' heights), or of a character where it
    has no digit."""
    heights: dict = {}
    for line, chars in words:
        heights.setdefault(line, []).extend(c.bottom - c.top for c in chars if c.text.isdigit())
    for line, chars in words:
        heights[line] = heights[line] or [c.bottom - c.top for c in chars]
    return {line: statistics.median(h) for line, h in heights.items()}


def _doubtful(chars: list[_Char]) -> bool:
    """A figure word worth a second reading: one character, with a bracket, read with little confidence,
    with a sign no figure has before its digits (a minus read as "~34" or "$75" in a scan's noise), or with
    a letter between two digits (a "1" read as "i" in "4i1")."""
    return any(c.text.isdigit() for c in chars) and (
        len(chars) == 1 or any(c.text in BRACKETS for c in chars) or _weakest(chars) < REREAD_BELOW
        or (len(chars) > 1 and not chars[0].text.isalnum() and chars[0].text not in FIGURE_CHARACTERS
            and chars[1].text.isdigit())
        or any(a.text.isdigit() and b.text.isalpha() and c.text.isdigit() for a, b, c in zip(chars, chars[1:], chars[2:])))


def _may_be_figure(chars: list[_Char]) -> bool:
    """A word the text's reading has with a digit or with no letter: its figures' reading is taken where it
    has digits (a thin "−7" read as "/")."""
    return any(c.text.isdigit() for c in chars) or not any(c.text.isalpha() for c in chars)


def _keeps_sure_digits(line_reading: list[_Char], alone: list[_Char]) -> bool:
    """Whether a figure read again alone has a digit where the line's reading was sure of one: the second
    reading mends a character, it does not drop a digit read with confidence ("−771" read again as "−77"
    when the crop's margin cuts into the next group)."""
    return (sum(c.text.isdigit() for c in alone)
            >= sum(c.text.isdigit() and c.confidence >= REREAD_BELOW for c in line_reading))


def _weakest(chars: list[_Char]) -> float:
    return min(c.confidence for c in chars)


def _box(chars: list[_Char]) -> tuple[float, float, float, float]:
    """x0, top, x1, bottom around the characters."""
    return min(c.x0 for c in chars), min(c.top for c in chars), max(c.x1 for c in chars), max(c.bottom for c in chars)


def _with_figures_of(words: list, figure_words: list) -> list:
    """The text's words with each figure word's characters as the figures' model read them where it stands
    (the characters whose centres fall within the word's box): labels in Swedish, digits as read best; a
    word of no letter where the figures' model reads digits is a figure too (a thin "−7" read as "/"). A
    minus the text's reading has is kept, in place of what the figures' model read before the digits (it
    reads a short "−8" as one wide "8", "−11" as "“11"). A word the figures' model reads as a percent sign
    is one (the Swedish model reads a figure's "%" as "HU" or "N"); a word of no letter or digit where the
    figures' model reads nothing is no word."""
    figure_chars = [c for _, chars in figure_words for c in chars]
    out = []
    for line, chars in words:
        x0, top, x1, bottom = _box(chars)
        there = sorted((c for c in figure_chars if x0 <= (c.x0 + c.x1) / 2 <= x1 and top <= (c.top + c.bottom) / 2 <= bottom),
                       key=lambda c: c.x0)
        if any(c.text.isdigit() for c in there) and _may_be_figure(chars):
            if chars[0].text in MINUSES:
                minus, digits = chars[0], list(itertools.dropwhile(lambda c: not c.text.isdigit(), there))
                first = digits[0]   # its box, where the figures' model took the minus in, starts after the minus
                digits[0] = _Char(first.text, max(first.x0, minus.x1), first.top, first.x1, first.bottom, first.confidence)
                there = [minus, *digits]
            chars = there
        elif there and all(c.text == "%" for c in there):
            chars = there
        elif not there and not any(c.text.isalnum() for c in chars):
            continue   # a mark only the text's reading sees: a dash or "=" it makes of a wide gap between figures
        out.append((line, chars))
    return out


def _hocr(program: str, image: Path, env: dict[str, str], psm: int, only: str = "", language: str = "swe") -> str:
    """Tesseract's hOCR of an image (or of a list of images, one a page), with each character's box; `only`:
    the characters it may read. psm 4: one column of text of varying sizes, each line across the page (a
    table's row is one line)."""
    limit = ["-c", f"tessedit_char_whitelist={only}"] if only else []
    run = subprocess.run([program, str(image), "stdout", "-l", language, "--psm", str(psm), "-c", "hocr_char_boxes=1",
                          *limit, "hocr"],
                         capture_output=True, env=env, timeout=TESSERACT_TIMEOUT, check=False)
    if run.returncode != 0:
        raise NoOcr(f"Tesseract failed on {image.name}: {run.stderr.decode('utf-8', 'replace').strip()[-300:]}")
    return run.stdout.decode("utf-8")


BBOX = re.compile(r"(?:x_)?bboxe?s? (\d+) (\d+) (\d+) (\d+)")
CONF = re.compile(r"x_conf ([\d.]+)")
X_SIZE = re.compile(r"x_size ([\d.]+)")


@dataclass
class _Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float


def _pages(hocr: str) -> list[list[tuple[tuple[int, float | None], list[_Char]]]]:
    """Each page of an hOCR: its words, each with its line (number, size in points) and its characters."""
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", hocr))
    pages, number = [], 0
    for page in root.iter():
        if (page.get("class") or "") != "ocr_page":
            continue
        words = []
        for line in page.iter():
            if not (line.get("class") or "").startswith(("ocr_line", "ocr_caption", "ocr_header", "ocr_textfloat")):
                continue
            number += 1
            size = X_SIZE.search(line.get("title", ""))
            for word in line:
                if word.get("class") != "ocrx_word":
                    continue
                chars = []
                for char in word:
                    box, conf = BBOX.search(char.get("title", "")), CONF.search(char.get("title", ""))
                    if box and conf and (char.text or "").strip():
                        x0, y0, x1, y1 = (int(v) * POINTS for v in box.groups())
                        chars.append(_Char(char.text.strip(), x0, y0, x1, y1, float(conf.group(1))))
                chars = _minus_read(chars)
                if chars:
                    words.append(((number, float(size.group(1)) * POINTS if size else None), chars))
        pages.append(words)
    return pages


def _minus_read(chars: list[_Char]) -> list[_Char]:
    """A figure's printed minus, which Tesseract reads as a dash of any length, or as two overlapping dashes
    ("—-12"), as one minus sign."""
    while len(chars) > 2 and chars[0].text in DASHES and chars[1].text in DASHES and chars[1].x0 < chars[0].x1:
        first, second = chars[0], chars[1]
        chars = [_Char(first.text, min(first.x0, second.x0), min(first.top, second.top), max(first.x1, second.x1),
                       max(first.bottom, second.bottom), max(first.confidence, second.confidence)), *chars[2:]]
    if len(chars) > 1 and chars[0].text in DASHES and chars[1].text.isdigit():
        chars[0].text = "−"
    return chars


def _words(hocr: str) -> list[tuple[tuple[int, float | None], list[_Char]]]:
    pages = _pages(hocr)
    return pages[0] if pages else []


def _assembled(words: list[tuple[tuple[int, float | None], list[_Char]]]) -> tuple[list[OcrLine], float | None]:
    """The page's lines of positioned words, top to bottom, and the median confidence of its words."""
    by_line: dict[tuple[int, float | None], list[list[_Char]]] = {}
    for line, chars in words:
        chars = _without_phantom_marks(chars)
        if chars and not _noise(chars):
            by_line.setdefault(line, []).append(chars)
    confidences = [_weakest(chars) for line in by_line.values() for chars in line]
    lines = _rows_joined([_line(line_words, size) for (_, size), line_words in by_line.items()])
    return lines, (statistics.median(confidences) if confidences else None)


def _rows_joined(lines: list[OcrLine]) -> list[OcrLine]:
    """The lines top to bottom, those at one height side by side joined into one: Tesseract reads a table
    whose columns stand far apart as blocks, each row's figures a line of each block, and the table rule
    reads a row as one line."""
    joined: list[OcrLine] = []
    for line in sorted(lines, key=lambda line: (line.top + line.bottom) / 2):
        middle = (line.top + line.bottom) / 2
        beside = next((other for other in reversed(joined)
                       if abs((other.top + other.bottom) / 2 - middle) < min(other.bottom - other.top, line.bottom - line.top) / 2
                       and not any(w.x0 < v.x1 and v.x0 < w.x1 for w in line.words for v in other.words)), None)
        if beside is None:
            joined.append(line)
            continue
        beside.words = sorted(beside.words + line.words, key=lambda w: w.x0)
        beside.top, beside.bottom = min(beside.top, line.top), max(beside.bottom, line.bottom)
        beside.x0 = beside.words[0].x0
    return sorted(joined, key=lambda line: line.top)


BRACKETS = set("()[]{}|")
FIGURE_CHARACTERS = "0123456789-−,.%"   # what a figure word is made of
MINUSES = "-−"
DASHES = "-‐‒–—―"   # hyphen, figure dash, en and em dashes: before a figure's digits, each is its minus
MARKS = DASHES + "−+/&%"   # printed alone between words: signs, a dash for nothing, "&", "/", "%"
# Tesseract's English model reads digits better than its Swedish one (a lone "0" as "0", not "4" or "[6]"),
# but no å, ä, ö: the text is read in Swedish, the figures in English
FIGURES_MODEL = "eng"
CAP_HEIGHT_CHARS = set("0123456789ABCDEFGHIJKLMNOPRSTUVWXYZ")   # as tall as a capital: no accent, no descender
CAP_HEIGHT = 0.7                                                 # a capital's height, of the font size


def _noise(chars: list[_Char]) -> bool:
    """A word of no letter or digit that is none of the marks a report prints alone (a sign, a dash for
    nothing, "&", "/", "%") is a speck of the scan read as "=", "~" or "'": left in a table's row it would
    join the figures on either side into one cell."""
    return not any(c.text.isalnum() or c.text in MARKS for c in chars)


def _without_phantom_marks(chars: list[_Char]) -> list[_Char]:
    """A bracket whose box overlaps the digit beside it, or a period or comma whose box lies within it, is
    not printed: Tesseract reads a lone "0" with noise around it as "(0)" or "[0)", and the edge of an "8"
    before a thousands space as "8."; a printed bracket stands clear of what it encloses, a printed decimal
    sign between the digits it parts."""
    def digits_beside(k: int) -> list[_Char]:
        return [chars[j] for j in (k - 1, k + 1) if 0 <= j < len(chars) and chars[j].text.isdigit()]

    def phantom(k: int) -> bool:
        mark = chars[k]
        if mark.text in BRACKETS:
            return any(min(mark.x1, d.x1) - max(mark.x0, d.x0) > 0 for d in digits_beside(k))
        return mark.text in ".," and any(d.x0 <= mark.x0 and mark.x1 <= d.x1 for d in digits_beside(k))

    return [c for k, c in enumerate(chars) if not phantom(k)]


def _digits_only(word: list[_Char]) -> bool:
    """A figure's digits, with its minus: not a date ("2023-01-01") or a label's number ("2.0")."""
    return all(c.text.isdigit() for c in word[1:]) and (word[0].text.isdigit() or word[0].text in MINUSES)


def _centre(char: _Char) -> float:
    return (char.x0 + char.x1) / 2


def _line(words: list[list[_Char]], size: float | None) -> OcrLine:
    """A line's positioned words. Two digits are two groups where the gap between them is wide for the
    line's digits, or where their centres stand further apart than the line's usual step from digit to
    digit within a figure (its digits are evenly spaced: a wide digit beside a thousands space leaves a
    narrow gap, "4 320" read as "4320")."""
    tall = [c.bottom - c.top for w in words for c in w if c.text in CAP_HEIGHT_CHARS]
    height = statistics.median(tall) if tall else statistics.median(c.bottom - c.top for w in words for c in w)
    steps = [_centre(b) - _centre(a) for w in words if _digits_only(w) for a, b in itertools.pairwise(w) if a.text.isdigit()]
    pitch = statistics.median(steps) if len(steps) >= PITCH_SAMPLE else None
    split: list[list[_Char]] = []
    for word in words:
        split.append([word[0]])
        for before, char in zip(word, word[1:]):
            if before.text.isdigit() and char.text.isdigit() and (
                    char.x0 - before.x1 > DIGIT_GAP * height
                    or (pitch is not None and _digits_only(word) and _centre(char) - _centre(before) > GROUP_PITCH * pitch)):
                split.append([char])   # a thousands space Tesseract read as no space
            else:
                split[-1].append(char)
    positioned = [Word("".join(c.text for c in w), w[0].x0, max(c.x1 for c in w), confidence=_weakest(w),
                       top=min(c.top for c in w), bottom=max(c.bottom for c in w)) for w in split]
    return OcrLine(positioned, min(w.top for w in positioned), max(w.bottom for w in positioned),
                   positioned[0].x0, size or height / CAP_HEIGHT)
