"""A collection folder passes the same validator as the seeds: defects are named by file, row and column
and leave the published warehouse byte-identical; benign ones are notes; the folder's path never
reaches SQL, whatever its name."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import sha256
from finsam.synthetic.generate import generate
from finsam.run.nightly import nightly_run
from finsam.run.workspace import create_build_file
from finsam.inputs import validate_inputs


@pytest.fixture(scope="module")
def base_collection(tmp_path_factory, pristine) -> Path:
    folder = tmp_path_factory.mktemp("base") / "collection"
    generate(folder, 2, 2, seed=21, file_format="csv", project=pristine)
    return folder


def copy_collection(base: Path, dest: Path) -> Path:
    shutil.copytree(base, dest)
    return dest


def fact_lines(folder: Path) -> list[str]:
    return (folder / "facts.csv").read_text(encoding="utf-8").splitlines()


def refused(project, folder: Path) -> list:
    before = sha256(project.published_db)
    result = nightly_run(project, collection=folder)
    assert result.exit_code == 2, result.message
    assert sha256(project.published_db) == before
    return result.problems


@pytest.mark.parametrize("order", ["copy after the original", "copy before the original"])
def test_a_conflicting_duplicate_is_refused_naming_both_rows_in_either_order(published, base_collection, tmp_path, order):
    folder = copy_collection(base_collection, tmp_path / "c")
    lines = fact_lines(folder)
    original = 5
    changed = lines[original - 1].replace(",kr,0,", "1,kr,0,", 1)  # one more digit: another value
    assert changed != lines[original - 1]
    if order == "copy after the original":
        lines.append(changed)
        duplicate_line, first_line = len(lines), original
    else:
        lines.insert(1, changed)
        duplicate_line, first_line = original + 1, 2
    (folder / "facts.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (problem,) = refused(published, folder)
    path = str(folder / "facts.csv")
    assert (problem.file, problem.line) == (path, duplicate_line)
    assert f"{path}:{first_line}" in problem.message and "with other values (value)" in problem.message


def test_an_identical_duplicate_is_a_note_and_read_once(project, base_collection, tmp_path):
    folder = copy_collection(base_collection, tmp_path / "c")
    lines = fact_lines(folder)
    (folder / "facts.csv").write_text("\n".join(lines + [lines[7]]) + "\n", encoding="utf-8")
    result = validate_inputs(project, folder)
    assert result.ok, result.problems
    (note,) = [n for n in result.readings if "the same figure as" in n.message]
    assert (note.file, note.line) == (str(folder / "facts.csv"), len(lines) + 1) and f":8" in note.message
    assert result.collection_rows("facts") == len(lines) - 1


def test_a_stray_copy_is_reported_and_not_read(project, base_collection, tmp_path):
    folder = copy_collection(base_collection, tmp_path / "c")
    shutil.copy(folder / "facts.csv", folder / "facts (copy).csv")
    result = validate_inputs(project, folder)
    assert result.ok, result.problems
    (note,) = [n for n in result.readings if "not read" in n.message]
    assert note.file == str(folder / "facts (copy).csv")
    assert result.collection_rows("facts") == len(fact_lines(folder)) - 1


HOSTILE_NAMES = ["inj'||'", "it's pq", "col [2023]", "a b {c} * ?"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_folder_of_any_name_is_read_and_nothing_else(project, base_collection, tmp_path, name):
    generate(tmp_path / "parquet", 2, 2, seed=21, project=project)
    folder = copy_collection(tmp_path / "parquet", tmp_path / name)
    # decoys a glob or a pasted string would read instead: 'col 2' matches 'col [2023]', 'inj' a broken literal
    generate(tmp_path / "col 2", 3, 1, seed=4, project=project)
    generate(tmp_path / "inj", 3, 1, seed=4, project=project)
    result = validate_inputs(project, folder)
    assert result.ok, result.problems
    db = tmp_path / "build.duckdb"
    create_build_file(db, result)
    with duckdb.connect(str(db), read_only=True) as con:
        orgs = con.execute("select distinct org_id from collection.facts order by 1").fetchall()
        n = con.execute("select count(*) from collection.facts").fetchall()[0][0]
    assert orgs == [("syn_00001",), ("syn_00002",)]
    with duckdb.connect() as con:
        expected = con.execute("select count(*) from read_parquet(?)", [str(tmp_path / "parquet" / "facts.parquet")]).fetchall()
    assert n == expected[0][0]


@pytest.mark.slow
def test_the_nightly_run_publishes_from_a_hostile_folder_name(project, base_collection, tmp_path, monkeypatch):
    folder = copy_collection(base_collection, tmp_path / "it's [2023] {x}")
    # the build file is ATTACHed by a quoted literal: a warehouse folder of any name works too
    monkeypatch.setenv("FINSAM_WAREHOUSE_DIR", str(tmp_path / "warehouse [2023] it's"))
    result = nightly_run(project, collection=folder)
    assert result.exit_code == 0, result.message
    with duckdb.connect(str(project.published_db), read_only=True) as con:
        orgs = con.execute("select distinct org_id from marts.financial_statements order by 1").fetchall()
    assert orgs == [("sf_vasteras",), ("syn_00001",), ("syn_00002",)]


@pytest.mark.slow
def test_a_reading_confidence_in_the_facts_reaches_the_published_statements(project, base_collection, tmp_path):
    """The optional confidence column (what ingest writes for figures read by OCR) is read when a collection
    gives it and published as reading_confidence; figures without it stay null."""
    folder = copy_collection(base_collection, tmp_path / "c")
    read_by_ocr(folder, lambda k, row: "97.5" if row["org_id"] == "syn_00001" and k % 2 == 0 else "")
    result = nightly_run(project, collection=folder)
    assert result.exit_code == 0, result.message
    with duckdb.connect(str(project.published_db), read_only=True) as con:
        read = con.execute("select org_id, reading_confidence, count(*) > 0 from marts.financial_statements "
                           "group by all order by all").fetchall()
    assert [(org, confidence) for org, confidence, _ in read] == [
        ("sf_vasteras", None), ("syn_00001", Decimal("97.5")), ("syn_00001", None), ("syn_00002", None)]


def read_by_ocr(folder: Path, confidence, value=lambda k, row: row["value"]) -> list[dict[str, str]]:
    """facts.csv as ingest writes a scanned report's: each row's confidence(k, row) ('' for none) and
    value(k, row) (a misreading); the rows as written."""
    with (folder / "facts.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert "confidence" not in rows[0]
    rows = [{**row, "value": value(k, row), "confidence": confidence(k, row)} for k, row in enumerate(rows)]
    with (folder / "facts.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


CONFUSED = str.maketrans("1357", "7861")   # digits OCR takes for others


@pytest.mark.slow
def test_an_uncertain_reading_no_check_confirms_stops_publication_and_its_misreading_is_diagnosed(published, base_collection, tmp_path):
    """An association's figures read by OCR: one read with little confidence and right is confirmed by its
    checks; another, misread, fails its checks and the uncertain-reading check, so the run does not publish;
    the diagnosis names it a misreading with its true value and where it stands on the page."""
    folder = copy_collection(base_collection, tmp_path / "c")
    newest = max(int(r["report_year"]) for r in csv.DictReader((folder / "facts.csv").open(encoding="utf-8")))

    def planted(row) -> bool:
        return (row["org_id"], row["report_year"], row["statement"]) == ("syn_00001", str(newest), "RR") \
            and row["value"].isdigit() and int(row["value"]) > 100_000 and row["value"] != row["value"].translate(CONFUSED)

    candidates = [k for k, row in enumerate(csv.DictReader((folder / "facts.csv").open(encoding="utf-8"))) if planted(row)]
    misread, confirmed = candidates[0], candidates[-1]
    rows = read_by_ocr(folder, lambda k, row: "71.5" if k in (misread, confirmed) else "",
                       lambda k, row: row["value"].translate(CONFUSED) if k == misread else row["value"])
    wrong, right = rows[misread], rows[confirmed]
    before = sha256(published.published_db)
    result = nightly_run(published, collection=folder, keep_build=True)
    assert result.exit_code == 1 and not result.published and sha256(published.published_db) == before
    with duckdb.connect(str(Path(result.build_dir) / "finsam.duckdb"), read_only=True) as con:
        readings = {r[0]: r[1:] for r in con.execute(
            "select check_id, status, message from marts.reconciliations where check_family = 'reading' "
            "and org_id = 'syn_00001'").fetchall()}
        diagnosed = con.execute(
            "select kind, printed_value, implied_value, sentence from marts.diagnoses "
            "where cause_rank = 1 and org_id = 'syn_00001'").fetchall()
    key = "uncertain_reading:{statement}.{line_id}.{measure}@{report_year}"
    assert set(readings) == {key.format(**wrong), key.format(**right)}
    status, message = readings[key.format(**wrong)]
    assert status == "fail" and "no passing check confirms it. Look at" in message and "71.5 %" in message
    status, message = readings[key.format(**right)]
    assert status == "pass" and "confirmed by" in message
    original = next(r for r in csv.DictReader((base_collection / "facts.csv").open(encoding="utf-8"))
                    if all(r[c] == wrong[c] for c in ("org_id", "report_year", "fiscal_year", "statement", "line_id", "measure")))
    assert [(kind, printed, implied) for kind, printed, implied, _ in diagnosed if printed == float(wrong["value"])] == [
        ("misread", float(wrong["value"]), float(original["value"]))]
    assert f"look at {wrong['source_ref']}" in next(s for *_, s in diagnosed if "misreading" in s)
    # a person looks at the page, corrects the figure and clears its confidence: the run publishes
    for path in folder.iterdir():
        path.unlink()
    shutil.copytree(base_collection, folder, dirs_exist_ok=True)
    read_by_ocr(folder, lambda k, row: "71.5" if k == confirmed else "")
    result = nightly_run(published, collection=folder)
    assert result.exit_code == 0 and result.published, result.message


def test_bad_rows_of_a_collection_are_named_by_file_row_and_column(published, base_collection, tmp_path):
    folder = copy_collection(base_collection, tmp_path / "c")
    path = folder / "facts.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    header = rows[0]
    value, line_id, org = header.index("value"), header.index("line_id"), header.index("org_id")
    rows[3][value] = "elva tusen"
    rows[4][line_id] = "no_such_line"
    rows[5][org] = "sf_okand"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    problems = refused(published, folder)
    found = {(p.file, p.line, p.column_name) for p in problems}
    assert {(str(path), 4, "value"), (str(path), 5, "line_id"), (str(path), 6, "org_id")} <= found
    assert all(p.file == str(path) for p in problems)


def test_a_parquet_column_of_the_wrong_type_names_file_and_column(project, tmp_path):
    generate(tmp_path / "c", 1, 1, seed=2, project=project)
    facts = tmp_path / "c" / "facts.parquet"
    with duckdb.connect() as con:
        con.execute("create table f as select * replace (make_date(fiscal_year, 12, 31) as fiscal_year) "
                    "from read_parquet(?)", [str(facts)])
        bad = tmp_path / "bad.parquet"
        con.execute(f"copy f to '{bad}' (format parquet)")  # the test's own tmp path
    shutil.move(bad, facts)
    result = validate_inputs(project, tmp_path / "c")
    (problem,) = result.problems
    assert (problem.file, problem.column_name, problem.value) == (str(facts), "fiscal_year", "DATE")
    assert "INTEGER" in problem.message.upper()


def test_numbers_a_parquet_file_stores_as_numbers_are_checked_and_read_as_printed(project, tmp_path):
    generate(tmp_path / "c", 1, 1, seed=2, project=project)
    facts = tmp_path / "c" / "facts.parquet"
    original = tmp_path / "original.parquet"
    shutil.copy2(facts, original)

    def stored_as_double(*updates: str):
        """The collection with its values stored as DOUBLE, with `updates` (SQL of the test's own) applied."""
        with duckdb.connect() as con:
            con.execute("create table f as select * replace (cast(value as double) as value) from read_parquet(?)",
                        [str(original)])
            for update in updates:
                con.execute(update)
            con.execute(f"copy f to '{facts}' (format parquet)")  # the test's own tmp path
        return validate_inputs(project, tmp_path / "c")

    result = stored_as_double("update f set value = 1234.56, decimals = 0 where rowid = 1",
                              "update f set value = 1e300 where rowid = 2",
                              "update f set org_id = null where rowid = 3",
                              # an integer stored as an integer is checked for its digits alone
                              "alter table f alter decimals type bigint",
                              "update f set decimals = -12345678901 where rowid = 4")
    found = {(p.line, p.column_name, p.value, p.message.split(":")[0].split(" (")[0]) for p in result.problems}
    assert found == {
        (2, "value", "1234.56", "the value has more decimals than the decimals column says"),
        (3, "value", "1e+300", "written with an exponent"),
        (4, "org_id", "", "this column must not be empty"),
        (5, "decimals", "-12345678901", "more digits than the warehouse holds"),
    }
    result.close()
    # the real report's income stored as 11006000.0 is the same figure as the seed's 11006000: read once
    result = stored_as_double("update f set org_id = 'sf_vasteras', report_year = 2023, fiscal_year = 2023, "
                              "statement = 'RR', line_id = 'verksamhetens_intakter', measure = 'amount', "
                              "value = 11006000, unit = 'kr', decimals = 0 where rowid = 0")
    assert result.ok, result.problems
    (note,) = [r for r in result.readings if r.file == str(facts)]
    assert (note.line, note.message) == (1, "the same figure as seeds/facts/facts_annual_report.csv:2; read once")
    result.close()


def test_physical_line_numbers_survive_a_quoted_line_break(published):
    """A remark with a line break inside quotes: later problems still name the line a text editor shows."""
    path = published.seeds_dir / "facts" / "facts_annual_report.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1] + '"two\nlines"'  # the first fact's empty remark
    lines[10] = lines[10].replace(",kr,0,", ",kr,1,")  # decimals 1 but no decimals printed
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (problem,) = refused(published, None)
    assert (problem.line, problem.column_name) == (12, "value")


def test_an_own_line_that_is_not_the_associations_own_is_refused_by_file_row_and_column(pristine, base_collection, tmp_path):
    """An own line with a standard line's id, a line of a table with no anchor or an anchor that sums no own
    lines, a figure of the text with an anchor, and a fact naming another association's own line."""
    folder = copy_collection(base_collection, tmp_path / "c")
    with (folder / "own_lines.csv").open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([
            ["syn_00001", "NOT4", "summa", "Summa", "", 1, "summa", "", 99, ""],
            ["syn_00001", "NOT4", "ny_fordran", "Ny fordran", "", 1, "", "", 99, ""],
            ["syn_00001", "NOT5", "ny_skuld", "Ny skuld", "", 1, "leverantorsskulder", "", 99, ""],
            ["syn_00001", "NARR", "ny_uppgift", "Ny uppgift", "", 1, "summa", "", 99, ""]])
    with (folder / "own_lines.csv").open(encoding="utf-8") as f:
        n_lines = sum(1 for _ in f)
    with (folder / "facts.csv").open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerow(
            ["syn_00002", 2023, 2023, "NOT4", "ny_fordran", "amount", "Ny fordran", 5, "kr", 0, "Not 4", ""])
    result = validate_inputs(pristine, folder)
    found = {(Path(p.file).name, p.line, p.column_name, p.value) for p in result.problems}
    result.close()
    own = str(folder / "own_lines.csv")
    assert found == {
        ("own_lines.csv", n_lines - 3, "line_id", "summa"),
        ("own_lines.csv", n_lines - 2, "anchor_line_id", ""),
        ("own_lines.csv", n_lines - 1, "anchor_line_id", "leverantorsskulder"),
        ("own_lines.csv", n_lines, "anchor_line_id", "summa"),
        ("facts.csv", len(fact_lines(folder)), "line_id", "syn_00002 NOT4 ny_fordran"),
    }, own
