"""The positional table rule (finsam.ingest.layout) on the layouts it exists for, in character columns
(the same rule reads a PDF's points): tables without ruling lines, column gaps of one space, a Note column
beside the amounts, minus signs, labels that wrap, headers of two lines, a number kept in its label."""

from __future__ import annotations

import re

from finsam.ingest.layout import TEXT_SCALE, Line, Word, blocks
from finsam.ingest.model import Paragraph, Place, Table


def lines_of(text: str) -> list[Line]:
    out, blank = [], False
    for n, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            out.append(Line([Word(m.group(), m.start(), m.end()) for m in re.finditer(r"[^ ]+", line)], Place(line=n),
                            space_above=blank))
        blank = not line.strip()
    return out


def row(label: str, *cells: tuple[str, int]) -> str:
    """A line: the label, then each cell right-aligned to end at its column."""
    line = label
    for text, end in cells:
        line = line.ljust(end - len(text)) + text if len(line) < end - len(text) else f"{line} {text}"
    return line


def table_rows(text: str) -> list[list[str]]:
    found = [b for b in blocks(lines_of(text), TEXT_SCALE) if isinstance(b, Table)]
    assert len(found) == 1, found
    return [r.cells for r in found[0].rows]


Y1, Y2 = 35, 46  # where the two year columns end


def test_a_note_reference_and_amounts_one_space_apart_are_told_apart_by_their_columns():
    NOT, Y1, Y2 = 22, 32, 42  # the widest figures one space from the column before
    text = "\n".join([
        row("Belopp i kr", ("Not", NOT), ("2023", Y1), ("2022", Y2)),
        row("Fordringar", ("4", NOT), ("306 506", Y1), ("864 989", Y2)),
        row("Kassa och bank", ("5 073 310", Y1), ("6 567 601", Y2)),
        row("Kortfristiga skulder", ("5", NOT), ("2 545 809", Y1), ("3 104 696", Y2)),
    ])
    assert "5 2 545 809 3 104 696" in text and "5 073 310 6 567 601" in text  # one space apart, as printed
    assert table_rows(text) == [["Belopp i kr", "Not", "2023", "2022"],
                                ["Fordringar", "4", "306 506", "864 989"],
                                ["Kassa och bank", "", "5 073 310", "6 567 601"],
                                ["Kortfristiga skulder", "5", "2 545 809", "3 104 696"]]


def test_a_header_cell_wider_than_its_figures_stays_over_one_column():
    """A date range header reaching left of its figures, nearer the note column than its own: the words of
    one header cell stand over the column the cell overlaps, never split across two (as pdftotext -layout
    prints a web page's income statement)."""
    text = "\n".join([
        "Kronor                              Not   2022-01-01 -2022-12-31        2021-01-01 -2021-12-31",
        row("Verksamhetens intäkter", ("2", 39), ("9 396 000", 65), ("11 668 000", 95)),
        row("Verksamhetens kostnader", ("3", 39), ("-9 099 005", 65), ("-11 508 029", 95)),
        row("Verksamhetens resultat", ("296 995", 65), ("159 971", 95)),
    ])
    assert table_rows(text)[:2] == [["Kronor", "Not", "2022-01-01 -2022-12-31", "2021-01-01 -2021-12-31"],
                                    ["Verksamhetens intäkter", "2", "9 396 000", "11 668 000"]]


def test_a_minus_starts_a_figure_and_a_figure_never_runs_across_a_column():
    text = "\n".join([
        row("Årets resultat", ("-1 493 887", Y1), ("-3 441 478", Y2)),
        row("Föregående år", ("-3 441 478", Y1), ("-471 931", Y2)),
        row("Övrigt", ("471 931", Y1), ("187 326", Y2)),
    ])
    assert table_rows(text) == [["Årets resultat", "-1 493 887", "-3 441 478"],
                                ["Föregående år", "-3 441 478", "-471 931"],
                                ["Övrigt", "471 931", "187 326"]]


def test_a_number_of_a_label_that_stands_on_no_column_stays_in_the_label():
    text = "\n".join([
        row("Leverantörsskulder", ("1 859 945", Y1), ("3 008 106", Y2)),
        row("Prel kostnad Q1 2024", ("75 000", Y1), ("0", Y2)),
    ])
    assert table_rows(text)[1] == ["Prel kostnad Q1 2024", "75 000", "0"]


def test_a_header_of_two_lines_heads_one_column_and_wrapped_labels_join_their_row():
    text = "\n".join([
        row("Belopp i kr", ("2023-01-01", Y1), ("2022-01-01", Y2)),
        row("", ("-2023-12-31", Y1), ("-2022-12-31", Y2)),
        "Medel från verksamheten före",
        row("", ("-1 493 887", Y1), ("-3 441 478", Y2)),   # the figures centred between the label's lines
        "förändring av rörelsekapital",
        row("Ökning/minskning kortfristiga", ("558 483", Y1), ("-303 802", Y2)),
        "fordringar",                                       # the label goes on below its figures
    ])
    assert table_rows(text) == [["Belopp i kr", "2023-01-01", "2022-01-01"],
                                ["", "-2023-12-31", "-2022-12-31"],
                                ["Medel från verksamheten före förändring av rörelsekapital", "-1 493 887", "-3 441 478"],
                                ["Ökning/minskning kortfristiga fordringar", "558 483", "-303 802"]]


def test_running_text_with_numbers_is_no_table_and_a_table_row_is_never_running_text():
    text = "\n".join([
        "Förbundet har under året bedrivit verksamhet för 12,1 Mkr och 173 personer har deltagit.",
        "Det ackumulerade överskottet är 8,1 Mkr.",
        "",
        row("Årets resultat enligt resultaträkningen", ("-1 493,9 kr", Y2 + 10)),
    ])
    found = blocks(lines_of(text), TEXT_SCALE)
    assert [type(b) for b in found] == [Paragraph, Paragraph, Table]
    assert found[2].rows[0].cells == ["Årets resultat enligt resultaträkningen", "-1 493,9 kr"]


def test_a_header_naming_years_below_the_rows_starts_the_next_table():
    Y1, Y2 = 45, 58
    text = "\n".join([
        row("Summa", ("11 006 000", Y1), ("10 996 000", Y2)),
        "",
        row("Not 3. Verksamhetens kostnader", ("År 2023", Y1), ("År 2022", Y2)),
        row("Processtöd/ledning", ("523 900", Y1), ("513 000", Y2)),
    ])
    tables = [b for b in blocks(lines_of(text), TEXT_SCALE) if isinstance(b, Table)]
    assert [[r.cells[0] for r in t.rows] for t in tables] == [["Summa"], ["Not 3. Verksamhetens kostnader",
                                                                          "Processtöd/ledning"]]
