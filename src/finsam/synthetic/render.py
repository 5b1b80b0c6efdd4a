"""Render an annual report as published documents, from its blocks (the generator's fact rows, or a report's
text): text (tab-separated or space-aligned), PDF drawn by fpdf2 with ruled or with borderless tables,
Word (python-docx) with ruled tables, an HTML page, and what independent producers make of them as people
publish them — the page printed to PDF by Chromium, a borderless Word file exported to PDF by LibreOffice,
and `pdftotext -layout` text of each borderless PDF. Generated reports carry the variation real reports
have: thousands separators, minus signs, year order, unit headers, a Note column, tables continued after
a page break, blank lines, labels that wrap. `finsam ingest` must read every rendering back into exactly
the facts printed.

Over 350 lines by choice: one renderer a kind of document, each reading the same blocks and style;
the programs that make the produced kinds are in producers.py.
"""

from __future__ import annotations

import html
import random
import shutil
import tempfile
import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from finsam.synthetic.producers import export_with_libreoffice, layout_text, print_with_chromium
from finsam.synthetic.scan import Scanner, scan

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
# (statement, heading, how the columns of a year are headed); DR and the single-column BKR are their own.
TABLES = [
    ("FYO", "1.1 Översikt över verksamhetens utveckling", "{y}"),
    ("BKR", "1.6 Balanskravsresultat", None),
    ("RR", "2 Resultaträkning", "{y}-01-01 -{y}-12-31"),
    ("BR", "3 Balansräkning", "{y}-12-31"),
    ("KFA", "4 Kassaflödesanalys", "{y}"),
    ("DR", "5 Driftsredovisning", None),
    ("NOT2", "Not 2. Verksamhetens intäkter", "År {y}"),
    ("NOT3", "Not 3. Verksamhetens kostnader", "År {y}"),
    ("NOT4", "Not 4. Fordringar", "{y}-12-31"),
    ("NOT5", "Not 5. Kortfristiga skulder", "{y}-12-31"),
]
NOTE_REFERENCES = {("RR", "verksamhetens_intakter"): "2", ("RR", "verksamhetens_kostnader"): "3",
                   ("BR", "fordringar"): "4", ("BR", "kortfristiga_skulder"): "5"}
DR_COLUMNS = [("actual_income", 0, "Utfall", "Intäkt"), ("actual_cost", 0, "", "Kostnad"), ("actual_net", 0, "", "Netto"),
              ("budget_net", 0, "Budget", "Netto"), ("deviation_net", 0, "Avvikelse", "Utfall-Budget netto"),
              ("actual_income", 1, "Utfall", "Intäkt"), ("actual_cost", 1, "", "Kostnad"), ("actual_net", 1, "", "Netto")]


@dataclass(frozen=True)
class Style:
    separator: str          # thousands separator
    minus: str
    years_ascending: bool
    amount_header: str
    note_column: bool
    split: str              # the statement whose table goes on after a page break (or blank lines)
    blank_lines: bool       # text: a blank line after every table row
    aligned: bool           # text: columns aligned with spaces rather than tabs

    @classmethod
    def draw(cls, rng: random.Random) -> "Style":
        return cls(separator=rng.choice([" ", "\u00a0", "\u202f"]), minus=rng.choice(["-", "\u2212", "\u2013"]),
                   years_ascending=rng.random() < 0.3, amount_header=rng.choice(["Belopp i kr", "Belopp (kr)", "Kronor"]),
                   note_column=rng.random() < 0.5, split=rng.choice(["NOT3", "BR", "DR"]),
                   blank_lines=rng.random() < 0.3, aligned=rng.random() < 0.5)


def number(value, decimals: int, style: Style, suffix: str = "") -> str:
    """A figure as a Swedish report prints it."""
    amount = Decimal(str(value))
    whole, _, frac = f"{abs(amount):.{int(decimals)}f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = style.separator.join(groups) + ("," + frac if frac else "")
    return (style.minus if amount < 0 else "") + text + suffix


@dataclass
class Block:
    kind: str                       # heading | paragraph | table | image (text: the picture's file)
    text: str = ""
    level: int = 1
    header: list[list[str]] | None = None
    rows: list[list[str]] | None = None
    split_at: int | None = None     # the table goes on after a page break before this row


def report_blocks(facts: list[dict], org_name: str, org_number: str, report_year: int, style: Style,
                  sort_order: dict[tuple[str, str], int]) -> list[Block]:
    """The document of one report: headings, tables and paragraphs, from its fact rows."""
    y = report_year
    by_statement: dict[str, list[dict]] = {}
    for fact in facts:
        by_statement.setdefault(fact["statement"], []).append(fact)
    blocks = [Block("heading", f"Årsredovisning {y}", 1), Block("paragraph", f"{org_name}, organisationsnummer {org_number}")]
    for statement, title, year_header in TABLES:
        rows_of = by_statement.get(statement, [])
        if not rows_of:
            continue
        lines = sorted({(f["line_id"], f["label_printed"]) for f in rows_of}, key=lambda l: sort_order[(statement, l[0])])
        value = {(f["line_id"], f["measure"], int(f["fiscal_year"])): f for f in rows_of}

        def cell(line_id, measure, year, suffix=""):
            fact = value.get((line_id, measure, year))
            return number(fact["value"], fact["decimals"], style, suffix) if fact else ""

        if statement == "DR":
            header = [["Belopp tkr"] + [f"{group} {y - back}" if group else "" for _, back, group, _ in DR_COLUMNS],
                      [""] + [sub for *_, sub in DR_COLUMNS]]
            rows = [[label] + [cell(line, measure, y - back) for measure, back, _, _ in DR_COLUMNS] for line, label in lines]
        elif statement == "BKR":
            header, rows = [], [[label, cell(line, "amount", y, " tkr")] for line, label in lines]
        else:
            years = sorted({int(f["fiscal_year"]) for f in rows_of}, reverse=not style.years_ascending)
            notes = style.note_column and statement in ("RR", "BR")
            first = title if statement.startswith("NOT") else ("" if statement == "FYO" else style.amount_header)
            header = [[first] + (["Not"] if notes else []) + [year_header.format(y=year) for year in years]]
            rows = [[label] + ([NOTE_REFERENCES.get((statement, line), "")] if notes else [])
                    + [cell(line, "amount", year, " %" if line == "soliditet" else "") for year in years]
                    for line, label in lines]
        if not statement.startswith("NOT") or statement == "NOT2":
            blocks.append(Block("heading", "6 Noter" if statement == "NOT2" else title, 2))
        blocks.append(Block("table", header=header, rows=rows,
                            split_at=len(rows) // 2 if statement == style.split and len(rows) > 3 else None))
    for fact in by_statement.get("NARR", []) + by_statement.get("GOAL", []):
        unit = {"count": "personer", "%": "%"}.get(fact["unit"], fact["unit"])
        blocks.append(Block("paragraph", f"{fact['label_printed'].replace('…', '').strip()}: "
                                         f"{number(fact['value'], fact['decimals'], style)} {unit}."))
    return blocks


def text_blocks(text: str) -> list[Block]:
    """The blocks of a report typed as text (markdown headings, tab-separated tables, paragraphs), to
    render it as the generator's reports are: a table's leading rows without figures are its header."""
    from finsam.ingest.numbers import is_figure
    from finsam.ingest.text import HEADING, clean

    blocks: list[Block] = []
    for line in text.splitlines():
        if "\t" in line:
            cells = [clean(cell) for cell in line.split("\t")]
            table = blocks[-1] if blocks and blocks[-1].kind == "table" else None
            if table is None or len(table.header + table.rows) and len((table.header + table.rows)[0]) != len(cells):
                table = Block("table", header=[], rows=[])
                blocks.append(table)
            if not table.rows and not any(is_figure(c) for c in cells[1:] if c):
                table.header.append(cells)
            else:
                table.rows.append(cells)
        elif heading := HEADING.match(line):
            blocks.append(Block("heading", clean(heading[2]), len(heading[1])))
        elif clean(line):
            blocks.append(Block("paragraph", clean(line)))
    return [b for b in blocks if b.kind != "table" or b.rows]


def render_text(blocks: list[Block], style: Style) -> str:
    out: list[str] = []
    for block in blocks:
        if block.kind == "heading":
            out += ["", "#" * block.level + " " + block.text, ""]
        elif block.kind == "paragraph":
            out += [block.text, ""]
        elif block.kind == "image":
            continue  # a picture has no text
        else:
            table = block.header + block.rows
            if style.aligned:
                widths = [max(len(r[k]) for r in table) + 3 for k in range(len(table[0]))]
                lines = [r[0].ljust(widths[0]) + "".join(c.rjust(w) for c, w in zip(r[1:], widths[1:])) for r in table]
            else:
                lines = ["\t".join(r) for r in table]
            for k, line in enumerate(lines):
                if block.split_at is not None and k == len(block.header) + block.split_at:
                    out += ["", ""]  # the table goes on after blank lines
                out.append(line.rstrip(" "))  # a tab row keeps its blank cells
                if style.blank_lines:
                    out.append("")
            out.append("")
    return "\n".join(out) + "\n"


def render_pdf(blocks: list[Block], path: Path, ruled: bool = True) -> None:
    """fpdf2's PDF: tables with every cell ruled, or (ruled=False) plain columns as most reports print them —
    no lines, amounts right-aligned, narrow label columns in which long labels wrap, each heading a blank
    line above its table."""
    from fpdf import FPDF
    from fpdf.enums import TableBordersLayout

    if not (FONT_DIR / "DejaVuSans.ttf").is_file():
        raise FileNotFoundError(f"the DejaVu fonts are not in {FONT_DIR}: apt-get install fonts-dejavu-core")
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    for block in blocks:
        if block.kind == "heading":
            pdf.set_font("DejaVu", "B", {1: 18, 2: 14}.get(block.level, 12))
            pdf.multi_cell(0, 9, block.text, new_x="LMARGIN", new_y="NEXT")
            if not ruled:
                pdf.ln(5)
        elif block.kind == "paragraph":
            pdf.set_font("DejaVu", "", 9)
            pdf.multi_cell(0, 5, block.text, new_x="LMARGIN", new_y="NEXT")
        elif block.kind == "image":  # a table printed as a picture: no text to read
            pdf.image(block.text, w=pdf.epw * 0.8)
            pdf.ln(4)
        else:
            pdf.set_font("DejaVu", "", 7 if len(block.header[0] if block.header else block.rows[0]) > 6 else 9)
            for k, part in enumerate(_parts(block)):
                if k:
                    pdf.add_page()
                width = len(part[0])
                label_width = (0.34 if width > 4 else 0.5) if ruled else (0.22 if width > 4 else 0.34)
                widths = [label_width] + [(1 - label_width) / (width - 1)] * (width - 1)
                with pdf.table(col_widths=[w * 100 for w in widths], first_row_as_headings=False, repeat_headings=0,
                               text_align=["LEFT"] + ["RIGHT"] * (width - 1), line_height=5,
                               borders_layout=TableBordersLayout.ALL if ruled else TableBordersLayout.NONE,
                               width=pdf.epw if ruled else pdf.epw * 0.8, align="LEFT") as table:
                    for cells in part:
                        table.row(cells)
            pdf.ln(4)
    pdf.output(str(path))


def _parts(block: Block) -> list[list[list[str]]]:
    """A table's rows, in two parts where it goes on after a page break."""
    if block.split_at is None:
        return [block.header + block.rows]
    return [block.header + block.rows[:block.split_at], block.rows[block.split_at:]]


def render_docx(blocks: list[Block], path: Path, ruled: bool = True) -> None:
    """python-docx's Word file: tables in 'Table Grid' (every cell ruled), or (ruled=False) Word's plain
    table without borders, amounts right-aligned, as an association's Word report is written."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt

    document = docx.Document()
    section = document.sections[0]  # A4 with 2 cm margins, as Swedish reports are set
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    for block in blocks:
        if block.kind == "heading":
            document.add_heading(block.text, block.level)
        elif block.kind == "paragraph":
            document.add_paragraph(block.text)
        elif block.kind == "image":
            document.add_picture(block.text, width=Cm(14))
        else:
            for k, part in enumerate(_parts(block)):
                if k:
                    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
                table = document.add_table(rows=len(part), cols=len(part[0]))
                if ruled:
                    table.style = "Table Grid"
                else:  # Word's "fit to contents": every amount on one line, the label column takes the rest
                    table.autofit = False
                    text_width = (section.page_width - section.left_margin - section.right_margin) / 12700  # points
                    font = 7 if len(part[0]) > 6 else 9
                    amounts = [max([len(cells[j]) for cells in block.rows] + [len(word) for cells in block.header
                                                                              for word in cells[j].split()]) * font * 0.62 + 16
                               for j in range(1, len(part[0]))]
                    label = max(text_width - sum(amounts), 90)
                    for column, width in zip(table.columns, [label, *amounts]):
                        column.width = int(width * 12700)  # the grid LibreOffice lays out by
                        for cell in column.cells:
                            cell.width = int(width * 12700)
                for row, cells in zip(table.rows, part):
                    for j, (target, text) in enumerate(zip(row.cells, cells)):
                        target.text = text
                        if not ruled:
                            paragraph = target.paragraphs[0]
                            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if j else WD_ALIGN_PARAGRAPH.LEFT
                            for run in paragraph.runs:
                                run.font.size = Pt(7 if len(cells) > 6 else 9)
    document.save(str(path))


HTML_STYLE = """@page { size: A4; margin: 18mm 15mm; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; }
table { border-collapse: collapse; margin: 0 0 1.5em; }
td { padding: 1px 0.6em 1px 0; }
td.label { max-width: 16em; }
td.amount { text-align: right; white-space: nowrap; padding-left: 0.6em; }
table.wide { font-size: 7pt; }
table.wide td.label { max-width: 12em; }"""


def render_html(blocks: list[Block]) -> str:
    """The report as a web page: headings, paragraphs and tables without borders, amounts right-aligned
    and never wrapped, labels wrapping in their column (the browser centres a row's cells vertically)."""
    out = []
    for block in blocks:
        if block.kind == "heading":
            level = min(block.level + 1, 6)
            out.append(f"<h{level}>{html.escape(block.text)}</h{level}>")
        elif block.kind == "paragraph":
            out.append(f"<p>{html.escape(block.text)}</p>")
        elif block.kind == "image":
            out.append(f"<p><img src='{html.escape(Path(block.text).resolve().as_uri())}' style='width:14cm'></p>")
        else:
            rows = block.header + block.rows
            wide = " class='wide'" if len(rows[0]) > 6 else ""
            out.append(f"<table{wide}>")
            for cells in rows:
                out.append("<tr>" + "".join(
                    f"<td class='{'amount' if j else 'label'}'>{html.escape(cell)}</td>" for j, cell in enumerate(cells))
                    + "</tr>")
            out.append("</table>")
    return ("<!DOCTYPE html><html lang='sv'><head><meta charset='utf-8'><title>Årsredovisning</title>"
            f"<style>{HTML_STYLE}</style></head><body>\n" + "\n".join(out) + "\n</body></html>\n")


# Each kind is the end of a rendering's file name: <stem>.<kind>.
DRAWN = {"txt": lambda blocks, style, path: path.write_text(render_text(blocks, style), encoding="utf-8"),
         "pdf": lambda blocks, style, path: render_pdf(blocks, path),
         "plain.pdf": lambda blocks, style, path: render_pdf(blocks, path, ruled=False),
         "docx": lambda blocks, style, path: render_docx(blocks, path),
         "html": lambda blocks, style, path: path.write_text(render_html(blocks), encoding="utf-8")}
PRODUCED = ("browser.pdf", "office.pdf")                      # by Chromium from the page, by LibreOffice from Word
LAYOUT = {f"{pdf[:-4]}.layout.txt": pdf for pdf in ("plain.pdf", "browser.pdf", "office.pdf")}
# LibreOffice's PDF printed, signed and scanned (poppler rasterises it, finsam.synthetic.scan adds the scanner)
SCANNED_FROM = "office.pdf"
SCANNED = {"scan.pdf": Scanner(dpi=300, noise=8.0, skew=1.0, quality=85),
           "scan200.pdf": Scanner(dpi=200, noise=10.0, skew=1.0, quality=70)}
KINDS = (*DRAWN, *PRODUCED, *LAYOUT, *SCANNED)


def render_documents(reports: list[tuple[list[Block], Style, Path]], kinds: tuple[str, ...]) -> None:
    """Write each report (its blocks, style and file stem) in each kind; what a kind is made from is made
    in a scratch folder when it is not asked for itself."""
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown rendering kinds: {', '.join(unknown)}; the kinds are {', '.join(KINDS)}")
    with tempfile.TemporaryDirectory(prefix="finsam-render-") as scratch:
        def path_of(stem: Path, kind: str) -> Path:
            return stem.with_name(f"{stem.name}.{kind}") if kind in kinds else Path(scratch) / f"{stem.name}.{kind}"

        wanted = set(kinds) | {LAYOUT[k] for k in kinds if k in LAYOUT} | ({SCANNED_FROM} if set(kinds) & set(SCANNED) else set())
        office = []
        for blocks, style, stem in reports:
            for kind in DRAWN:
                if kind in wanted or (kind == "html" and "browser.pdf" in wanted):
                    DRAWN[kind](blocks, style, path_of(stem, kind))
            if "browser.pdf" in wanted:
                print_with_chromium(path_of(stem, "html"), path_of(stem, "browser.pdf"))
            if "office.pdf" in wanted:
                word = Path(scratch) / f"{stem.name}.office.docx"
                render_docx(blocks, word, ruled=False)
                office.append((word, path_of(stem, "office.pdf")))
        if office:
            export_with_libreoffice([word for word, _ in office], Path(scratch))
            for word, pdf in office:
                shutil.move(word.with_suffix(".pdf"), pdf)
        for _, _, stem in reports:
            for kind, pdf in LAYOUT.items():
                if kind in kinds:
                    layout_text(path_of(stem, pdf), path_of(stem, kind))
            for kind, scanner in SCANNED.items():
                if kind in kinds:
                    scan(path_of(stem, SCANNED_FROM), path_of(stem, kind), scanner, seed=zlib.crc32(stem.name.encode()))


