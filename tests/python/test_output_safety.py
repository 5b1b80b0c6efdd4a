"""Hostile values reach no output as anything but text, read back by the programs that open each output:
the ingest CSVs by the csv module with no cell a spreadsheet would evaluate, junit.xml by xml.etree, the
Markdown summary by its table's column count, console lines by rich's own rendering."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from rich.console import Console

from finsam.synthetic.generate import generate
from finsam.run.nightly import nightly_run
from finsam.safe_text import FORMULA_START, PLAIN_NUMBER, console_text, markdown_text, spreadsheet_cell, xml_text
from test_hostile_input import ingest_cli
from test_ingest import REPORT

HOSTILE_LABELS = {"Kassa och bank\t": "=Kassa och bank\t", "Fordringar\t": "@Fordringar\t",
                  "<b>Summa skulder</b>\t": "+Summa skulder\t", "\nKortfristiga skulder\t": "\n-Kortfristiga skulder\t"}
FORMULA = "=HYPERLINK(\"http://x\",\"click\")"


def evaluated_by_a_spreadsheet(cell: str) -> bool:
    return cell.startswith(FORMULA_START) and not PLAIN_NUMBER.match(cell)


def test_no_ingested_cell_starts_a_formula(project, tmp_path):
    text = REPORT.read_text(encoding="utf-8")
    for printed, hostile in HOSTILE_LABELS.items():
        assert printed in text
        text = text.replace(printed, hostile)
    assert "\nÖvrigt eget kapital\t" in text
    text = text.replace("\nÖvrigt eget kapital\t", f"\n{FORMULA}\t\t1\t2\ncmd|' /C calc'!A0\t\t3\t4\nÖvrigt eget kapital\t", 1)
    (tmp_path / "report.txt").write_text(text, encoding="utf-8")
    proc = ingest_cli(project, tmp_path / "report.txt", tmp_path / "out")
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the formula row maps to no line: review
    cells = {}
    for name in ("facts.csv", "review.csv"):
        with (tmp_path / "out" / name).open(encoding="utf-8", newline="") as f:
            cells[name] = [cell for row in csv.reader(f) for cell in row]
    assert [c for cells_of in cells.values() for c in cells_of if evaluated_by_a_spreadsheet(c)] == []
    with (tmp_path / "out" / "facts.csv").open(encoding="utf-8", newline="") as f:
        facts = list(csv.DictReader(f))
    assert len(facts) == 371, "the labels still map: matching ignores punctuation"
    assert {"'=Kassa och bank", "'@Fordringar", "'+Summa skulder", "'-Kortfristiga skulder"} <= {
        f["label_printed"] for f in facts}
    assert any(f["value"].startswith("-") for f in facts), "a negative figure stays a number"
    assert f"'{FORMULA}" in cells["review.csv"]


@pytest.mark.parametrize("value", ["=1+2", "+46 21", "-1 493 887", "@SUM(A1)", "\tx", "\rx"])
def test_a_spreadsheet_cell_that_starts_like_a_formula_is_text(value):
    assert spreadsheet_cell(value) == "'" + value
    assert spreadsheet_cell("-1493887") == "-1493887" and spreadsheet_cell("-1493.9") == "-1493.9"


def test_markdown_text_renders_as_itself():
    cell = markdown_text("syn|<b>x</b> [click](http://evil.example) <img src=x onerror=alert(1)>\nnext")
    assert "|" not in cell.replace("\\|", "") and "<" not in cell and "\n" not in cell
    assert not re.search(r"(?<!\\)\]\(", cell) and "http://" not in cell, cell


def test_console_text_is_not_markup():
    label = "Summa ]]> [red]rött[/red] \\[bold]"
    console = Console(file=io.StringIO(), width=200, color_system="truecolor", force_terminal=True)
    console.print(f"[yellow]unmapped[/] {console_text(label, quoted=True)}")
    shown = console.file.getvalue()
    assert repr(label) in re.sub(r"\x1b\[[0-9;]*m", "", shown)
    assert "\x1b[31m" not in shown, "no red: the tag is text"


def test_xml_text_is_xml():
    ElementTree.fromstring(f"<a b='{xml_text(chr(1) + chr(11) + chr(27))}'>{xml_text('x' + chr(1))}</a>")


def test_the_run_report_stays_well_formed_with_hostile_values(published, pristine, tmp_path):
    """A collection with an org_id of Markdown and HTML and a value with control characters: the validator
    refuses both (the id by its pattern), and junit.xml, summary.md and the console stay what they are."""
    folder = tmp_path / "collection"
    generate(folder, 1, 1, seed=8, file_format="csv", project=pristine)
    facts = (folder / "facts.csv").read_text(encoding="utf-8").split("\n")
    org = facts[1].split(",")[0]
    hostile = "syn|<b>x</b>[click](http://evil.example)"
    facts[1] = facts[1].replace(org, hostile, 1)
    head = facts[2].split(",")
    value = head.index(next(c for c in head[5:] if re.fullmatch(r"-?\d+", c)))
    head[value] = head[value][:2] + "\x01\x0b" + head[value][2:]
    facts[2] = ",".join(head)
    (folder / "facts.csv").write_text("\n".join(facts), encoding="utf-8")
    result = nightly_run(published, collection=folder)
    assert result.exit_code == 2
    messages = [p.message for p in result.problems]
    assert any("an id is lower-case letters" in m for m in messages), messages
    report = Path(result.report_dir)
    ElementTree.parse(report / "junit.xml")  # well-formed
    summary = (report / "summary.md").read_text(encoding="utf-8")
    assert "<b>" not in summary and not re.search(r"(?<!\\)\]\(", summary) and "\x01" not in summary
    tables = markdown_tables(summary)
    assert tables and all(len({len(row) for row in table}) == 1 for table in tables), tables
    shutil.rmtree(folder)


def markdown_tables(text: str) -> list[list[list[str]]]:
    """Each Markdown table's rows as cells, split at the bars a Markdown parser splits at (not at \\|)."""
    tables: list[list[list[str]]] = []
    lines = text.splitlines()
    for k, line in enumerate(lines):
        if line.startswith("|") and k + 1 < len(lines) and lines[k + 1].startswith("|---") \
                and not (k and lines[k - 1].startswith("|")):
            rows = []
            for row in lines[k:]:
                if not row.startswith("|"):
                    break
                rows.append(re.split(r"(?<!\\)\|", row.strip().strip("|")))
            tables.append(rows)
    return tables


def test_an_org_id_of_markup_is_refused_by_ingest(project, tmp_path):
    from test_hostile_input import finsam

    proc = finsam(project, "ingest", str(REPORT), "--org", "syn|<b>x</b>", "--report-year", "2023",
                  "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "an org_id is lower-case letters" in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()
