"""Every kind of bad seed input gets an error naming file, line and column and what to do; nothing is
built or published. Unambiguous forms (a byte-order mark, a Unicode minus, thousands spaces) are read
and the reading is reported. Each case runs the whole nightly command on a project whose warehouse
was already published, and proves the published file is byte-for-byte unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import sha256
from finsam.run.nightly import nightly_run
from finsam.inputs import validate_inputs

FACTS = "seeds/facts/facts_annual_report.csv"
HEADER = "org_id,report_year,fiscal_year,statement,line_id,measure,label_printed,value,unit,decimals,source_ref,remark"
# the line of RR 'Verksamhetens intäkter' 2023 as stored, and its 1-based line number
TARGET = "sf_vasteras,2023,2023,RR,verksamhetens_intakter,amount,Verksamhetens intäkter,11006000,kr,0,2 Resultaträkning,"


def target_line(text: str) -> int:
    return text.splitlines().index(TARGET) + 1


def replace_target(project, new_line: str) -> int:
    path = project.root / FACTS
    text = path.read_text(encoding="utf-8")
    line = target_line(text)
    path.write_text(text.replace(TARGET, new_line), encoding="utf-8")
    return line


def run_refused(project) -> list:
    before = sha256(project.published_db)
    result = nightly_run(project)
    assert result.exit_code == 2, result.message
    assert result.problems, result.message
    assert sha256(project.published_db) == before
    assert not any(project.warehouse_dir.glob(".build-*"))
    for problem in result.problems:  # every message names file, line and column
        assert problem.file and problem.line >= 1 and problem.column >= 1
        assert str(problem).startswith(f"{problem.file}:{problem.line}:{problem.column}")
    return result.problems


VALUE_CASES = {
    # name: (value as typed, decimals, expected words in the message)
    "decimal comma, ambiguous": ('"11006,000"', "0", "ambiguous comma"),
    "decimal comma, wrong decimals": ('"11006000,5"', "0", "the decimals column says 0"),
    "thousands dot, ambiguous": ("11.006", "0", "ambiguous dot"),
    "doubled minus": ("--11006000", "0", "two signs"),
    "text in an amount": ("elva miljoner", "0", "not a number"),
    "empty amount": ("", "0", "the value is empty"),
    "decimals disagree": ("11006000.5", "0", "the decimals column says 0"),
    "fullwidth digits": ("\uff11\uff11\uff10\uff10\uff16\uff10\uff10\uff10", "0", "is not one of 0–9"),
    "more digits than the column holds": ("12345678901234567", "0", "more digits than the warehouse holds"),
}


@pytest.mark.parametrize("case", sorted(VALUE_CASES))
def test_bad_amount_is_refused_with_its_column(published, case):
    value, decimals, words = VALUE_CASES[case]
    line = replace_target(published, f"sf_vasteras,2023,2023,RR,verksamhetens_intakter,amount,Verksamhetens intäkter,{value},kr,{decimals},2 Resultaträkning,")
    (problem,) = run_refused(published)
    assert (problem.file, problem.line, problem.column, problem.column_name) == (FACTS, line, 8, "value")
    assert words in problem.message


READABLE_CASES = {
    # name: (value as typed, decimals, expected words in the reading)
    "thousands spaces": ('"11 006 000"', "0", "spaces as thousands separators"),
    "non-breaking spaces": ('"11\u00a0006\u00a0000"', "0", "non-breaking spaces as thousands separators"),
    "thousands dots": ("11.006.000", "0", "dots as thousands separators"),
    "decimal comma": ('"11006000,0"', "1", "decimal comma as a decimal point"),
    "unicode minus": ("\u221211006000", "0", "minus sign (U+2212)"),
    "en dash": ("\u201311006000", "0", "en dash (U+2013)"),
    "leading plus": ("+11006000", "0", "read the leading '+' as no sign"),
}


@pytest.mark.parametrize("case", sorted(READABLE_CASES))
def test_unambiguous_amount_is_read_and_reported(project, case):
    value, decimals, words = READABLE_CASES[case]
    line = replace_target(project, f"sf_vasteras,2023,2023,RR,verksamhetens_intakter,amount,Verksamhetens intäkter,{value},kr,{decimals},2 Resultaträkning,")
    result = validate_inputs(project)
    assert result.ok
    (reading,) = result.readings
    assert (reading.file, reading.line, reading.column) == (FACTS, line, 8)
    assert words in reading.message
    canonical = "-11006000" if "minus" in case or "dash" in case else "11006000.0" if decimals == "1" else "11006000"
    assert f",Verksamhetens intäkter,{canonical},kr," in result.normalised[Path("facts/facts_annual_report.csv")]


def test_a_read_value_is_the_value_the_checks_see(published):
    """A Unicode minus is read as a minus: the income statement's income turns negative and the checks say so."""
    replace_target(published, TARGET.replace("11006000", "\u221211006000"))
    before = sha256(published.published_db)
    result = nightly_run(published)
    assert result.exit_code == 1 and len(result.readings) == 1
    assert any(c["check_id"] == "calc.RR.verksamhetens_resultat.amount:lines" and c["lhs_value"] is not None
               for c in result.checks if c["status"] == "fail")
    # beside the report's registered errata, the diagnosis names that figure and the slip
    (income,) = [d for d in result.diagnoses if d["cause_rank"] == 1 and d["line_id"] == "verksamhetens_intakter"]
    assert (income["statement"], income["kind"], income["implied_value"]) == ("RR", "sign_flip", 11_006_000)
    assert sha256(published.published_db) == before


def test_utf8_byte_order_mark_is_read(published):
    path = published.root / FACTS
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = nightly_run(published, publish_result=False)
    assert result.exit_code == 0, result.message
    assert [(r.file, r.line, r.column) for r in result.readings] == [(FACTS, 1, 1)]
    assert "byte-order mark" in result.readings[0].message


def test_duplicate_key_names_both_lines(published):
    path = published.root / FACTS
    text = path.read_text(encoding="utf-8")
    first = target_line(text)
    path.write_text(text + TARGET.replace("11006000", "11006001") + "\n", encoding="utf-8")
    (problem,) = run_refused(published)
    assert problem.line == len(text.splitlines()) + 1
    assert f"{FACTS}:{first}" in problem.message and "duplicate: the same key as" in problem.message


def test_unknown_line_id(published):
    line = replace_target(published, TARGET.replace("verksamhetens_intakter", "verksamhetens_intakt"))
    (problem,) = run_refused(published)
    assert (problem.line, problem.column_name) == (line, "line_id")
    assert "line_catalogue.csv" in problem.message


@pytest.mark.parametrize("year, words", [("2017", "prints years 2019–2023"), ("2031", "prints years")])
def test_year_outside_the_report(published, year, words):
    line = replace_target(published, TARGET.replace("2023,2023,RR", f"2023,{year},RR"))
    problems = run_refused(published)
    assert any(p.line == line and p.column_name == "fiscal_year" and words in p.message for p in problems)


def test_missing_and_extra_columns(published):
    path = published.root / FACTS
    text = path.read_text(encoding="utf-8").replace(HEADER, HEADER.replace(",decimals", ",precision"), 1)
    path.write_text(text, encoding="utf-8")
    problems = run_refused(published)
    assert {(p.line, p.column, p.column_name) for p in problems} == {(1, 10, "decimals"), (1, 10, "precision")}
    assert all("the header must be" in p.message for p in problems)


def test_semicolon_delimiter(published):
    path = published.root / FACTS
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    (problem,) = run_refused(published)
    assert (problem.line, problem.column) == (1, 1) and "semicolons" in problem.message


def test_latin1_letters(published):
    path = published.root / FACTS
    text = path.read_text(encoding="utf-8")
    line = target_line(text)
    path.write_bytes(text.encode("utf-8").replace(TARGET.encode("utf-8"), TARGET.encode("latin-1")))
    (problem,) = run_refused(published)
    assert (problem.line, problem.column, problem.column_name) == (line, 7, "label_printed")
    assert "not UTF-8" in problem.message and "Latin-1" in problem.message


def test_empty_file(published):
    (published.root / FACTS).write_text("", encoding="utf-8")
    (problem,) = run_refused(published)
    assert (problem.file, problem.line, problem.column) == (FACTS, 1, 1) and "empty" in problem.message


def test_truncated_last_line(published):
    path = published.root / FACTS
    text = path.read_text(encoding="utf-8").rstrip("\n")
    cut = text[: text.rfind(",92,count")]  # the last row loses its value and everything after
    path.write_text(cut, encoding="utf-8")
    (problem,) = run_refused(published)
    assert problem.line == len(cut.splitlines())
    assert problem.column_name == "value" and "truncated" in problem.message


def test_several_problems_are_reported_together(published):
    path = published.root / FACTS
    text = path.read_text(encoding="utf-8")
    line = target_line(text)
    text = text.replace(TARGET, TARGET.replace("11006000", "11006000,5").replace(",kr,", ",kronor,"))
    text = text.replace(",253666,kr,", ",253 666 kr,kr,")
    path.write_text(text, encoding="utf-8")
    (published.root / "seeds/reference/units.csv").write_text("unit;base_unit\n", encoding="utf-8")
    problems = run_refused(published)
    files = {p.file for p in problems}
    assert files == {FACTS, "seeds/reference/units.csv"}
    assert any(p.line == line for p in problems)
    assert any("not a number" in p.message for p in problems)
    assert len(problems) >= 3


def test_a_control_character_in_text_is_refused(published):
    line = replace_target(published, TARGET.replace("2 Resultaträkning", "2 Result\x00aträkning"))
    (problem,) = run_refused(published)
    assert (problem.line, problem.column_name) == (line, "source_ref")
    assert "control character (U+0000)" in problem.message and "\\x00" in problem.value


def test_a_utf16_file_is_named_utf16(published):
    path = published.root / FACTS
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    (problem,) = run_refused(published)
    assert (problem.line, problem.column) == (1, 1) and "UTF-16" in problem.message
