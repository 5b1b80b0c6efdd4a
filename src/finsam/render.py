"""Render a synthetic annual report as a published document — text (tab-separated or space-aligned), PDF
(fpdf2) and Word (python-docx) — from the fact rows the generator wrote, with the variation real reports
have: thousands separators, minus signs, year order, unit headers, a Note column, tables continued after
a page break, blank lines. `finsam ingest` must read every rendering back into exactly those facts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

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
    kind: str                       # heading | paragraph | table
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


def render_text(blocks: list[Block], style: Style) -> str:
    out: list[str] = []
    for block in blocks:
        if block.kind == "heading":
            out += ["", "#" * block.level + " " + block.text, ""]
        elif block.kind == "paragraph":
            out += [block.text, ""]
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


def render_pdf(blocks: list[Block], path: Path) -> None:
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
        elif block.kind == "paragraph":
            pdf.set_font("DejaVu", "", 9)
            pdf.multi_cell(0, 5, block.text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("DejaVu", "", 7 if len(block.header[0] if block.header else block.rows[0]) > 6 else 9)
            parts = [block.header + block.rows] if block.split_at is None else [
                block.header + block.rows[:block.split_at], block.rows[block.split_at:]]
            for k, part in enumerate(parts):
                if k:
                    pdf.add_page()
                width = len(part[0])
                label_width = 0.34 if width > 4 else 0.5
                widths = [label_width] + [(1 - label_width) / (width - 1)] * (width - 1)
                with pdf.table(col_widths=[w * 100 for w in widths], first_row_as_headings=False, repeat_headings=0,
                               text_align=["LEFT"] + ["RIGHT"] * (width - 1), line_height=5,
                               borders_layout=TableBordersLayout.ALL) as table:
                    for cells in part:
                        table.row(cells)
            pdf.ln(4)
    pdf.output(str(path))


def render_docx(blocks: list[Block], path: Path) -> None:
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    for block in blocks:
        if block.kind == "heading":
            document.add_heading(block.text, block.level)
        elif block.kind == "paragraph":
            document.add_paragraph(block.text)
        else:
            parts = [block.header + block.rows] if block.split_at is None else [
                block.header + block.rows[:block.split_at], block.rows[block.split_at:]]
            for k, part in enumerate(parts):
                if k:
                    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
                table = document.add_table(rows=len(part), cols=len(part[0]))
                table.style = "Table Grid"
                for row, cells in zip(table.rows, part):
                    for target, text in zip(row.cells, cells):
                        target.text = text
    document.save(str(path))


RENDERERS = {"txt": lambda blocks, style, path: path.write_text(render_text(blocks, style), encoding="utf-8"),
             "pdf": lambda blocks, style, path: render_pdf(blocks, path),
             "docx": lambda blocks, style, path: render_docx(blocks, path)}
