"""Readers: a CSV or Parquet file (or a collection folder) into rows of text with the line of each row."""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from finsam.inputs.findings import Finding
from finsam.inputs.layouts import COLLECTION_FORMATS, COLLECTION_LAYOUTS, COLLECTION_NOT_INPUT, Table, TableSchema
from finsam.inputs.rules import check_values

if TYPE_CHECKING:
    from finsam.inputs.store import Inputs


def _decode(raw: bytes, rel: str, problems: list[Finding], readings: list[Finding]) -> str | None:
    if not raw.strip():
        problems.append(Finding(rel, 1, 1, None, None,
                                "the file is empty: it needs at least the header line; restore it from git"))
        return None
    for bom, name in ((b"\xff\xfe", "UTF-16 (little-endian)"), (b"\xfe\xff", "UTF-16 (big-endian)")):
        if raw.startswith(bom):
            problems.append(Finding(rel, 1, 1, None, None, f"the file is {name}, not UTF-8: save it as UTF-8 and run again"))
            return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        readings.append(Finding(rel, 1, 1, None, None, "read a UTF-8 byte-order mark at the start and ignored it"))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        line_start = raw.rfind(b"\n", 0, err.start) + 1
        field_no = raw[line_start:err.start].count(b",") + 1
        header = raw.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip().split(",")
        name = header[field_no - 1] if field_no <= len(header) else None
        guess = raw[err.start:err.start + 1].decode("cp1252", errors="replace")
        problems.append(Finding(
            rel, line, field_no, name, raw[line_start:raw.find(b"\n", err.start)].decode("cp1252", errors="replace")[:60],
            f"the file is not UTF-8 (this byte is '{guess}' in Latin-1/Windows-1252); "
            "the letters å, ä, ö cannot be read safely: save the file as UTF-8 and run again"))
        return None


def _delimiter_problem(header: str, rel: str) -> Finding | None:
    if "," in header:
        return None
    for delimiter, name in ((";", "semicolons"), ("\t", "tabs")):
        if delimiter in header:
            return Finding(rel, 1, 1, None, header[:60],
                           f"columns are separated by {name}; finsam uses commas: save the file as "
                           "comma-separated (quote a text value that contains a comma)")
    return None


def _header_problems(header: list[str], schema: TableSchema, rel: str) -> list[Finding]:
    expected = ",".join(schema.columns)
    found = [Finding(rel, 1, schema.columns.index(name) + 1, name, None,
                     f"the column '{name}' is missing; the header must be: {expected}")
             for name in schema.columns if name not in header and name not in schema.optional]
    found += [Finding(rel, 1, header.index(name) + 1, name, None,
                      f"unexpected column '{name}'; the header must be: {expected}")
              for name in header if name not in schema.columns]
    return found


def read_csv_table(path: Path, rel: str, schema: TableSchema, problems: list[Finding],
                   readings: list[Finding]) -> Table | None:
    text = _decode(path.read_bytes(), rel, problems, readings)
    if text is None:
        return None
    header_problem = _delimiter_problem(text.splitlines()[0] if text else "", rel)
    if header_problem:
        problems.append(header_problem)
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []  # (physical line where the record starts, fields)
    try:
        start = 1
        for record in reader:
            records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as err:
        problems.append(Finding(rel, reader.line_num, 1, None, None, f"the file is not valid CSV: {err}"))
        return None
    header = [h.strip() for h in records[0][1]]
    header_problems = _header_problems(header, schema, rel)
    if header_problems:
        problems.extend(header_problems)
        return None
    table = Table(schema, rel)
    ends_with_newline = text.endswith(("\n", "\r"))
    for k, (line, record) in enumerate(records[1:], start=2):
        if not record or all(not f.strip() for f in record):
            continue
        if len(record) != len(header):
            last = k == len(records)
            hint = (" — the last line has no line break: the file looks truncated; restore the rest of the line"
                    if last and not ends_with_newline else "; quote a value that contains a comma")
            column = min(len(record), len(header)) + 1
            name = header[column - 1] if column <= len(header) else "(extra field)"
            problems.append(Finding(rel, line, column, name, ",".join(record)[:80],
                                    f"{len(record)} fields where the header has {len(header)}{hint}"))
            continue
        table.rows.append({**dict.fromkeys(schema.optional, ""), **dict(zip(header, (field.strip() for field in record)))})
        table.lines.append(line)
    return table


@contextmanager
def path_duckdb_can_read(path: Path) -> Iterator[str]:
    """A path to `path` that DuckDB reads literally: a link with a plain name in a private folder.

    DuckDB expands * ? [ ] in every path it is given, even a bound parameter and even when the literal
    file exists, so a folder named 'reports [2023]' would read other folders. The link's own path has
    none of those characters.
    """
    with tempfile.TemporaryDirectory(prefix="finsam-input-") as folder:
        link = Path(folder) / ("input" + path.suffix)
        os.symlink(path.resolve(), link)
        if re.search(r"[*?\[\]{}]", str(link)):
            raise RuntimeError(f"the temporary folder {folder} has glob characters; set TMPDIR to a plain folder")
        yield str(link)


PARQUET_INTEGER = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                   "UBIGINT")


PARQUET_NUMERIC = (*PARQUET_INTEGER, "DECIMAL", "DOUBLE", "FLOAT")


def read_parquet_table(inputs: "Inputs", path: Path, rel: str, schema: TableSchema, problems: list[Finding],
                       readings: list[Finding]) -> None:
    """A Parquet file into the validator's DuckDB. Text columns must be strings, numeric columns numbers or
    strings; numbers stored as numbers are checked in SQL, a numeric column stored as strings is read like
    CSV text (row by row)."""
    import duckdb

    try:
        with path_duckdb_can_read(path) as readable:
            relation = inputs.con.read_parquet(readable)
            found = dict(zip(relation.columns, (str(t).upper() for t in relation.types)))
            header_problems = _header_problems(list(found), schema, rel)
            type_problems = []
            for k, column in enumerate(schema.columns, start=1):
                if column not in found:
                    continue
                kind = found[column]
                numeric = kind.startswith(PARQUET_NUMERIC)
                if kind != "VARCHAR" and not (numeric and schema.families[column] in ("integer", "decimal")):
                    expected = "a string column" if schema.families[column] == "text" else "a number or string column"
                    type_problems.append(Finding(rel, 1, k, column, kind,
                                                 f"the column has type {kind}; {expected} is expected "
                                                 f"({schema.sql_types[column]} in the warehouse): write it as such"))
            if header_problems or type_problems:
                problems.extend(header_problems + type_problems)
                return
            # column names are the layout's own identifiers; the path is the plain link, bound
            columns = ", ".join(f"coalesce(trim(cast(\"{c}\" as varchar)), '') as \"{c}\"" if c in found else f"'' as \"{c}\""
                                for c in schema.columns)
            if any(schema.families[c] != "text" and found.get(c) == "VARCHAR" for c in schema.columns):
                table = Table(schema, rel)  # numbers written as strings: the CSV rules, row by row
                rows = inputs.con.execute(f"select {columns} from read_parquet(?)", [readable]).fetchall()
                for number, record in enumerate(rows, start=1):
                    table.rows.append(dict(zip(schema.columns, record)))
                    table.lines.append(number)
                check_values(table, problems, readings)
                inputs.add_rows(table)
                return
            inputs.add_stored_values(schema, rel, {c for c in schema.columns if found.get(c, "").startswith(PARQUET_NUMERIC)},
                                     {c for c in schema.columns if found.get(c, "").startswith(PARQUET_INTEGER)},
                                     f"select {columns}, $file as _file, cast(file_row_number + 1 as integer) as _line "
                                     "from read_parquet($path, file_row_number = true)", {"file": rel, "path": readable}, problems)
    except duckdb.Error as err:
        problems.append(Finding(rel, 1, 1, None, None, f"the file cannot be read as Parquet ({err}); write it "
                                                       "again, or give the collection as CSV"))


def collection_files(folder: Path) -> tuple[dict[str, Path], list[Finding], list[Finding]]:
    """The documented files of a collection folder: (name -> path, problems, notes on other files)."""
    problems: list[Finding] = []
    notes: list[Finding] = []
    label = str(folder)
    if not folder.is_dir():
        return {}, [Finding(label, 1, 1, None, None, "no such folder: give a folder written by `finsam generate` "
                                                      "or `finsam ingest`, or of the same layout")], []
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        stem, dot, suffix = path.name.rpartition(".")
        if path.is_file() and dot and stem in COLLECTION_LAYOUTS and suffix in COLLECTION_FORMATS:
            if stem in found:
                problems.append(Finding(f"{folder / path.name}", 1, 1, None, None,
                                        f"both {found[stem].name} and {path.name}: keep one of them"))
            found[stem] = path
        elif path.name not in COLLECTION_NOT_INPUT and not path.name.startswith("."):
            notes.append(Finding(str(path), 1, 1, None, None,
                                 "not read: a collection holds only " + ", ".join(
                                     f"{n}.csv/.parquet" for n in COLLECTION_LAYOUTS) + "; move the file elsewhere"))
    if "facts" not in found and not problems:
        problems.append(Finding(label, 1, 1, None, None, "no facts.csv or facts.parquet in the folder"))
    return found, problems, notes
