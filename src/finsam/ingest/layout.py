"""The one table rule of every reader that sees where words stand: lines of positioned words → tables and
paragraphs of the report model.

A PDF gives each word's x-coordinates in points, layout text (`pdftotext -layout`, space-aligned tables)
its character columns; both come here as `Line`s of `Word`s and are read by the same rule, with the
`Scale` of their unit. Ruling lines are never needed.

- **Cells.** A gap of at least `Scale.column_gap` (two characters; half an em) always separates cells.
  A narrower gap may be a thousands separator ("306 506") or a column gap of one space: the columns decide.
- **Columns** come from the numbers that stand alone in a cell: right-aligned figures share a right edge,
  left-aligned ones a left edge; the edge that groups them into fewer columns is the one the table is
  aligned on. Edges a few characters apart that no line uses both of are one column (pdftotext shifts a
  crowded row).
- **Numbers of a row.** The words after the label are read as printed numbers standing on the columns left
  to right, one a column, none running across a column's edge, at least cost (`_parse`): so
  "4 306 506 864 989" under the columns Not, 2023 and 2022 is 4, 306 506 and 864 989, and
  "-3 441 478 -471 931" two figures. A number at the end of a label that stands on no column stays in
  the label ("Q1 2024").
- **Rows.** A line is a table row when it has two or more figures, or one set off by a column gap or
  standing on a column of the table: such a number is never running text. A number followed only by
  words is a numbered title, not a row. The header lines just above
  the first row (years, "Not", "Belopp i kr", a title with its number, headers of two lines) and the
  label lines between rows belong to the table; header words go to the column they stand over. A header
  naming years below the rows starts the next table.
- **Wrapped labels** are joined to their row (`_join_wrapped`).

Over 350 lines by choice: cells, columns, the numbers of a row, rows and wrapped labels decide one another,
and a change to one of them is read against the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from finsam.ingest.model import Block, Paragraph, Place, Reading, Row, Table, wrapped
from finsam.ingest.numbers import BARE_YEAR, read_number

DIGIT = re.compile(r"\d")
LEADING_ZERO = re.compile(r"^[-−–+]*0\d")   # "073" goes on a number, it never starts one
GOES_ON = re.compile(r"^[a-zåäö(]|^\d\S*$")  # a label line that continues the label before it ("kommun", "1")
YEAR_HEADER = re.compile(r"^-?(19|20)\d{2}(-\d{2}-\d{2})?$")  # a column header's year or date
SECTION_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.?$")   # "3", "1.6", "1.5.2."
TITLE_NUMBER = re.compile(r"^(?:not\s+)?\d+(?:\.\d+)*\.?\s", re.IGNORECASE)  # "3 ", "1.6 ", "Not 3. "
SIGN = re.compile(r"^(?:--|[-−–+])$")
STARTS_NUMBER = re.compile(r"^(?:--|[-−–+])?\d|^(?:--|[-−–+])$")
GOES_ON_NUMBER = re.compile(r"^\d{3}(?:,\d+)?(?:%|kr)?$|^(?:%|kr|tkr|mkr|mnkr)$", re.IGNORECASE)
HEADER_LINES = 8                            # at most this many lines above a table's first row are its header
SHORT_LINE = 7                              # words: longer lines without figures are running text


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    confidence: float | None = None   # read by OCR: its weakest character's confidence (0–100)
    top: float = 0.0                  # read by OCR: its box's top and bottom on the page
    bottom: float = 0.0


@dataclass
class Line:
    words: list[Word]
    place: Place
    space_above: bool = False   # a blank line (text) or a gap taller than a line (PDF) before it

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True)
class Scale:
    column_gap: float   # a gap at least this wide always separates cells
    tolerance: float    # edges this close stand on one column


TEXT_SCALE = Scale(column_gap=2, tolerance=1.5)   # characters; pdftotext places a word within a character


def pdf_scale(font_size: float) -> Scale:
    return Scale(column_gap=0.5 * font_size, tolerance=0.4 * font_size)


def ocr_scale(font_size: float) -> Scale:
    """Words read by OCR: Tesseract's boxes are tight around the ink (a "+" or "1" stands narrow in its
    space), so a word space measures wider than in a text layer; cells are set apart by wider gaps."""
    return Scale(column_gap=0.7 * font_size, tolerance=0.4 * font_size)


@dataclass
class _Parse:
    label: list[Word]
    numbers: list[list[Word]]   # each a printed number, left to right
    columns: list[int | None]   # the column each number stands on (None where no columns are known)
    words: list[Word]           # words after the label that are no number (a text cell: "Inga")


@dataclass
class _Columns:
    edges: list[tuple[float, float]] = field(default_factory=list)  # each column's aligned edges seen, left to right
    right: bool = True                                                # aligned on the right edge (else the left)

    def edge_of(self, words: list[Word]) -> float:
        return words[-1].x1 if self.right else words[0].x0

    def distance(self, k: int, at: float) -> float:
        low, high = self.edges[k]
        return max(low - at, at - high, 0.0)

    def on_edge(self, at: float, scale: Scale, strict: bool = False) -> bool:
        """At a column's edge: within the tolerance of the edges seen, or (strict) within half of it."""
        return any(self.distance(k, at) <= scale.tolerance / (2 if strict else 1) for k in range(len(self.edges)))


def _cells(words: list[Word], scale: Scale) -> list[list[Word]]:
    cells: list[list[Word]] = []
    for word in words:
        if cells and word.x0 - cells[-1][-1].x1 < scale.column_gap:
            cells[-1].append(word)
        else:
            cells.append([word])
    return cells


def _number(words: tuple[Word, ...], scale: Scale):
    if LEADING_ZERO.match(words[0].text) or any(b.x0 - a.x1 >= scale.column_gap for a, b in zip(words, words[1:])):
        return None
    return read_number(" ".join(w.text for w in words))


def _parse(words: list[Word], scale: Scale, columns: _Columns) -> _Parse:
    """The label and the printed numbers of a line (see the module's rule), at least cost. Each number
    costs 1; where columns are known it stands on one of them, left to right and one a column, and costs
    more the further its edge is from that column's (so a row a producer shifted by a few characters keeps
    its columns, and a number far left of every column, "Q1 2024", stays in the label); no word inside a
    number ends on a column's edge. Each word with digits read as words costs 2."""
    n = len(words)
    known = bool(columns.edges)
    as_word = [2.0 if DIGIT.search(w.text) else 0.0 for w in words]
    Reading = tuple[float, tuple[tuple[int, int, int], ...]]   # cost, (first word, end, column) of each number

    def placed_cost(group: list[Word], column: int) -> float:
        distance = columns.distance(column, columns.edge_of(group))
        if distance <= scale.tolerance:
            return 1.0
        year = len(group) == 1 and BARE_YEAR.match(group[0].text)
        return 1.5 + 0.1 * distance / scale.tolerance + (2.0 if year else 0.0)

    @lru_cache(maxsize=None)
    def numbers_from(i: int, last: int) -> Reading:
        """The best reading of words[i:] in which a number starts at word i, right of column `last`."""
        best: Reading = (float("inf"), ())
        if not STARTS_NUMBER.match(words[i].text):
            return best
        for j in range(i + 1, n + 1):
            if j > i + 1 and not (GOES_ON_NUMBER.match(words[j - 1].text) or (j == i + 2 and SIGN.match(words[i].text))):
                break
            group = words[i:j]
            if _number(tuple(group), scale) is None:
                continue
            inner = group[:-1] if columns.right else group[1:]
            if known and any(columns.on_edge(w.x1 if columns.right else w.x0, scale, strict=True) for w in inner):
                continue  # a number never runs across a column's edge
            for column in (range(last + 1, len(columns.edges)) if known else (last,)):
                cost = placed_cost(group, column) if known else 1.0
                after = rest(j, column)
                if cost + after[0] <= best[0]:  # on a tie the longer number: "−477,0 tkr", not "−477,0" and a word
                    best = (cost + after[0], ((i, j, column),) + after[1])
        return best

    @lru_cache(maxsize=None)
    def rest(i: int, last: int) -> Reading:
        """The best reading of words[i:], words after a label: numbers and words."""
        if i == n:
            return 0.0, ()
        skip = rest(i + 1, last)
        best = (as_word[i] + skip[0], skip[1])
        number = numbers_from(i, last)
        return number if number[0] < best[0] else best

    # the label ends where the first number starts (or it is the whole line)
    best_cost, best_spans, label_end, label_cost = sum(as_word), (), n, 0.0
    for k in range(n):
        cost, spans = numbers_from(k, -1)
        if label_cost + cost < best_cost:
            best_cost, best_spans, label_end = label_cost + cost, spans, k
        label_cost += as_word[k]
    taken = {i for a, b, _ in best_spans for i in range(a, b)}
    return _Parse(label=words[:label_end], numbers=[words[a:b] for a, b, _ in best_spans],
                  columns=[c if known else None for _, _, c in best_spans],
                  words=[w for i, w in enumerate(words) if i >= label_end and i not in taken])


def _figures(parse: _Parse) -> list[list[Word]]:
    """The numbers of a line that are figures (a bare year is a column header)."""
    return [g for g in parse.numbers if not (len(g) == 1 and BARE_YEAR.match(g[0].text))]


def _column_evidence(lines: list[Line], scale: Scale) -> _Columns:
    """Columns from the numbers that stand alone in a cell."""
    left = min(line.words[0].x0 for line in lines) if lines else 0.0
    return _columns_of([[(cell[0].x0, cell[-1].x1) for k, cell in enumerate(_cells(line.words, scale))
                         if (k > 0 or cell[0].x0 > left + scale.column_gap) and _number(tuple(cell), scale) is not None
                         and not (len(cell) == 1 and BARE_YEAR.match(cell[0].text))] for line in lines], scale)


def _columns_of(spans_by_line: list[list[tuple[float, float]]], scale: Scale) -> _Columns:
    """Columns from where numbers stand (x0, x1), on the edge that groups them into fewer columns."""
    by_edge = {right: _clusters([(span[1] if right else span[0], n) for n, spans in enumerate(spans_by_line)
                                 for span in spans], scale) for right in (True, False)}
    right = len(by_edge[True]) <= len(by_edge[False])
    return _Columns(by_edge[right], right)


def _clusters(edges: list[tuple[float, int]], scale: Scale) -> list[tuple[float, float]]:
    """Edges (with their line) within the tolerance of their neighbour are one column; two columns less
    than six tolerances apart are one as well where no line has a number on both (a producer that places
    words by the character, as pdftotext does, shifts a crowded row's columns by a few characters)."""
    groups: list[list[tuple[float, int]]] = []
    for edge in sorted(edges):
        if groups and edge[0] - groups[-1][-1][0] <= scale.tolerance:
            groups[-1].append(edge)
        else:
            groups.append([edge])
    merged: list[list[tuple[float, int]]] = []
    for group in groups:
        if merged and group[-1][0] - merged[-1][0][0] <= 6 * scale.tolerance \
                and not {n for _, n in group} & {n for _, n in merged[-1]}:
            merged[-1] += group
        else:
            merged.append(group)
    return [(group[0][0], group[-1][0]) for group in merged]


def blocks(lines: list[Line], scale: Scale) -> list[Block]:
    """Tables and paragraphs of a run of lines (a reader's text between two headings), in their order."""
    out: list[Block] = []
    used = 0
    i = 0
    while i < len(lines):
        if not _is_row(lines, i, scale):
            i += 1
            continue
        start = i
        while start > used and i - start < HEADER_LINES and _is_header_or_label(lines[start - 1], scale, above=True):
            start -= 1
        end = _table_end(lines, i, scale)
        out += [Paragraph(line.text, line.place) for line in lines[used:start]]
        out.append(_table(lines[start:end], scale))
        used = i = end
    out += [Paragraph(line.text, line.place) for line in lines[used:]]
    return out


def page_tail(lines: list[Line], scale: Scale) -> int:
    """Where the header lines at the foot of a page begin (len(lines) if none): a table's header naming
    its years, printed at the foot of a page, goes with its rows on the next."""
    start = len(lines)
    while start > 0 and len(lines) - start < HEADER_LINES and not _is_row(lines, start - 1, scale) \
            and _is_header_or_label(lines[start - 1], scale, above=True):
        start -= 1
    names_years = any(YEAR_HEADER.match(w.text) for line in lines[start:] for w in line.words)
    return start if names_years else len(lines)


def _is_row(lines: list[Line], i: int, scale: Scale, columns: _Columns | None = None) -> bool:
    """A table row: after its label only numbers and cells of their own; two or more figures, or one set
    off by a column gap or standing on a column of the table."""
    line = lines[i]
    parse = _parse(line.words, scale, columns or _Columns())
    figures = _figures(parse)
    if not figures or not all(_alone(w, line.words, scale) for w in parse.words):
        return False
    if len(figures) >= 2:
        return True
    if _numbered_title(line):
        return False
    figure = figures[0]
    if columns is not None and columns.edges and columns.on_edge(columns.edge_of(figure), scale):
        return True
    return not parse.label or figure[0].x0 - parse.label[-1].x1 >= scale.column_gap


def _numbered_title(line: Line) -> bool:
    """A section number followed only by words: a numbered title ("3   Balansräkning", "1.1   Översikt"),
    however wide the space after its number (a heading's font spaces it wider)."""
    return (len(line.words) >= 2 and SECTION_NUMBER.match(line.words[0].text) is not None
            and not any(DIGIT.search(w.text) for w in line.words[1:]))


def _alone(word: Word, words: list[Word], scale: Scale) -> bool:
    """The word is a cell of its own: a column gap (or the line's end) on either side."""
    k = words.index(word)
    return ((k == 0 or word.x0 - words[k - 1].x1 >= scale.column_gap)
            and (k == len(words) - 1 or words[k + 1].x0 - word.x1 >= scale.column_gap))


def _is_header_or_label(line: Line, scale: Scale, columns: _Columns | None = None, above: bool = False) -> bool:
    """A line of a table that is no row: headers, or a short label line; never a line with figures (read on
    the table's columns, where known) or a sentence. Above a table's first row (`above`), a label line is
    its title or a section of it, whose only digits are its number ("Not 3. Verksamhetens", "1.6
    Balanskravsresultat"), not "organisationsnummer 222000-2824"."""
    parse = _parse(line.words, scale, columns or _Columns())
    if _figures(parse):
        return False
    if all(YEAR_HEADER.match(w.text) for w in line.words):
        return True  # column headers: years or dates ("-2023-12-31", the second line of "2023-01-01 -2023-12-31")
    return len(_cells(line.words, scale)) >= 2 or (
        len(line.words) <= SHORT_LINE and not line.text.rstrip().endswith(".")
        and not (above and DIGIT.search(TITLE_NUMBER.sub("", line.text))))


def _table_end(lines: list[Line], i: int, scale: Scale) -> int:
    """The line after the table whose first row is line i: rows, the label and header lines between them,
    blank lines before a row that stands on the table's columns, and a label line that goes on."""
    end = i + 1
    while end < len(lines):
        columns = _column_evidence(lines[i:end], scale)
        ahead = end
        while (ahead < len(lines) and ahead - end < 3 and not _is_row(lines, ahead, scale, columns)
               and _is_header_or_label(lines[ahead], scale, columns)
               and not _heads_columns(lines[ahead], lines[i:end], scale, columns)):
            ahead += 1
        spaced = any(line.space_above for line in lines[end:ahead + 1])
        if ahead < len(lines) and _is_row(lines, ahead, scale, columns) \
                and (not spaced or _on_columns(lines[ahead], scale, columns)):
            end = ahead + 1
            continue
        last = _parse(lines[end - 1].words, scale, columns)
        if not lines[end].space_above and not _figures(_parse(lines[end].words, scale, columns)) \
                and (GOES_ON.match(lines[end].text) or (_figures(last) and not last.label)):
            end += 1  # the last row's label goes on, or the row is centred between its label's lines
        break
    return end


def _heads_columns(line: Line, rows: list[Line], scale: Scale, columns: _Columns) -> bool:
    """A header naming years over the columns: below a table's rows, it is the next table's."""
    years = [w for w in line.words if YEAR_HEADER.match(w.text)]
    if not years:
        return False
    figures_from = min((g[0].x0 for row in rows for g in _figures(_parse(row.words, scale, columns))), default=float("inf"))
    return years[-1].x1 >= figures_from


def _on_columns(line: Line, scale: Scale, columns: _Columns) -> bool:
    return any(columns.on_edge(columns.edge_of(g), scale) for g in _figures(_parse(line.words, scale, columns)))


def _table(lines: list[Line], scale: Scale) -> Table:
    columns = _column_evidence(lines, scale)
    parses = [_parse(line.words, scale, columns) for line in lines]
    if not columns.edges:  # no figure stands alone: the columns are where the fewest numbers end
        columns = _columns_of([[(g[0].x0, g[-1].x1) for g in _figures(p)] for p in parses], scale)
        parses = [_parse(line.words, scale, columns) for line in lines]
    extents = _extents(parses, columns)
    label_end = min(x0 for x0, _ in extents) if extents else float("inf")
    left = min(line.words[0].x0 for line in lines)
    cells: list[list[str]] = []
    readings: list[dict[int, Reading]] = []
    has_figures: list[bool] = []   # the line is a row of the table, else a header or label line
    for line, parse in zip(lines, parses):
        out = [""] * (len(columns.edges) + 1)
        figures = _figures(parse)
        if _numbered_title(line):
            figures, label, placed = [], line.words, []
        elif figures:
            label = [w for w in parse.label if w.x0 < label_end]
            placed = [(g, k + 1) for g, k in zip(parse.numbers, parse.columns)]
            placed += [([w], _column_over(w, extents) + 1) for w in parse.label[len(label):] + parse.words]
        else:  # a header or label line: a first cell at the table's left is the label, the rest by position
            first = _cells(line.words, scale)[0]
            label = first if first[0].x0 < min(label_end, left + scale.column_gap) else []
            headers = _cells(line.words[len(label):], scale)
            placed = [([w], k + 1) for cell in headers for w, k in zip(cell, _header_columns(cell, extents))]
            by_cell = {_column_over(cell[-1], extents) for cell in headers}
            if len(headers) == len(extents) and len(by_cell) < len(headers):
                # one header cell a column, placed where they cannot stand (a header printed at the foot of
                # the page before, as pdftotext places it): in order
                placed = [(cell, k + 1) for k, cell in enumerate(headers)]
        out[0] = " ".join(w.text for w in label)
        words_of: dict[int, list[Word]] = {}
        for group, k in sorted(placed, key=lambda item: item[0][0].x0):
            out[k] = f"{out[k]} {' '.join(w.text for w in group)}".strip()
            words_of.setdefault(k, []).extend(group)
        cells.append(out)
        readings.append({k: read for k, words in [(0, label), *words_of.items()] if (read := _reading(words))})
        has_figures.append(bool(figures))
    return Table([Row(row, line.place, read) for row, line, read in zip(_join_wrapped(cells, has_figures), lines, readings)
                  if row is not None])


def _reading(words: list[Word]) -> Reading | None:
    """A cell's OCR reading: its weakest word's confidence, the box around its words (None: not OCR)."""
    read = [w for w in words if w.confidence is not None]
    if not read:
        return None
    return Reading(min(w.confidence for w in read),
                   (min(w.x0 for w in read), min(w.top for w in read), max(w.x1 for w in read), max(w.bottom for w in read)))


def _extents(parses: list[_Parse], columns: _Columns) -> list[tuple[float, float]]:
    """Each column's extent: from the leftmost to the rightmost edge of the numbers on it."""
    spans: list[list[float]] = [[] for _ in columns.edges]
    for parse in parses:
        for group, k in zip(parse.numbers, parse.columns):
            spans[k] += [group[0].x0, group[-1].x1]
    return [(min(s), max(s)) if s else edges for s, edges in zip(spans, columns.edges)]


def _header_columns(cell: list[Word], extents: list[tuple[float, float]]) -> list[int]:
    """The column each word of a header cell stands over; a word over no column's figures stands with the
    nearest word of its cell that does ("2022-01-01 -2022-12-31" wider than the figures below it)."""
    columns = [_column_over(w, extents) for w in cell]
    over = [(w.x0, k) for w, k in zip(cell, columns) if _overlap(w, extents[k]) > 0]
    return [k if _overlap(w, extents[k]) > 0 or not over else min(over, key=lambda o: abs(o[0] - w.x0))[1]
            for w, k in zip(cell, columns)]


def _overlap(word: Word, extent: tuple[float, float]) -> float:
    return min(word.x1, extent[1]) - max(word.x0, extent[0])


def _column_over(word: Word, extents: list[tuple[float, float]]) -> int:
    """The column a header word stands over: the one it overlaps most, else the nearest."""
    def distance(k: int) -> float:
        x0, x1 = extents[k]
        overlap = _overlap(word, extents[k])
        return -overlap if overlap > 0 else min(abs(word.x0 - x1), abs(word.x1 - x0))
    return min(range(len(extents)), key=distance)


def _join_wrapped(cells: list[list[str]], has_figures: list[bool]) -> list[list[str] | None]:
    """Label lines joined to the row their label belongs to; a joined line is None. A label line goes on
    in the next when that starts in lower case (a wrapped section title); a row without a label takes the
    label lines right above and below it (a cell's lines centred on its figures); a row's label goes on in
    a label line below it that starts in lower case or a bracket, and starts in a label line above it when
    it goes on in lower case itself."""
    rows: list[list[str] | None] = [list(c) for c in cells]

    def label_only(k: int) -> bool:
        row = rows[k] if 0 <= k < len(rows) else None
        return row is not None and not has_figures[k] and bool(row[0]) and not any(row[1:])

    def join(into: int, k: int, before: bool) -> None:
        rows[into][0] = wrapped(rows[k][0], rows[into][0]) if before else wrapped(rows[into][0], rows[k][0])
        rows[k] = None

    for k in range(1, len(rows)):  # across header lines without a label ("Not 3. Verksamhetens" / "År 2023" / "kostnader")
        above = next((j for j in range(k - 1, -1, -1) if rows[j] is not None and (rows[j][0] or has_figures[j])), None)
        if label_only(k) and above is not None and label_only(above) and GOES_ON.match(rows[k][0]):
            join(above, k, before=False)
    for k, row in enumerate(rows):
        if row is not None and has_figures[k] and not row[0]:
            if label_only(k - 1):
                join(k, k - 1, before=True)
            if label_only(k + 1):
                join(k, k + 1, before=False)
    for k in range(len(rows)):
        if not label_only(k):
            continue
        above = next((j for j in range(k - 1, -1, -1) if rows[j] is not None), None)
        if k + 1 < len(rows) and rows[k + 1] is not None and has_figures[k + 1] and GOES_ON.match(rows[k + 1][0]):
            join(k + 1, k, before=True)
        elif above is not None and has_figures[above] and GOES_ON.match(rows[k][0]):
            join(above, k, before=False)
    return rows
