"""Validate every input before anything is built: the seeds, and a report collection folder (CSV or Parquet).

One validator, whichever way the data came in. Readers turn a file into a table of text values with the
line of each row (CSV: the physical line; Parquet: the row number) in one in-memory DuckDB: CSV text row
by row in Python (Swedish number formats as typed by people), Parquet numbers in SQL. The row rules then
run once, as SQL, over seeds and collection together: declared keys (a duplicate with other values is an
error naming both rows, an identical one a note), references (lines, units, organisations, member
types), years and printed labels. Every problem names file, line, column, the value and what to
do; all problems of a run are reported together. Unambiguous forms (a UTF-8 byte-order mark, a Unicode
minus, spaces between thousands) are read and noted; ambiguous ones refuse the file.

The expected columns and types of every table come from the seed YAML (and dbt_project.yml), so each
layout is declared once; a collection file has the layout of the seed named in COLLECTION_LAYOUTS.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import yaml

from finsam.labels import LabelIndex
from finsam.project import Project, duckdb_settings

FACT_KEY = ("org_id", "report_year", "fiscal_year", "statement", "line_id", "measure")
# A report prints its own year and up to four earlier ones (the five-year overview).
MAX_YEARS_BEFORE_REPORT = 4
MINUS_SIGNS = {"\u2212": "minus sign (U+2212)", "\u2013": "en dash (U+2013)", "\u2012": "figure dash (U+2012)"}
# C0 control characters and DEL; a line break inside a quoted value is allowed
CONTROL = re.compile(r"[\x00-\x09\x0b-\x0c\x0e-\x1f\x7f]")
ID_COLUMNS = ("org_id",)            # ids that name an association in file names, reports and marts
ID = re.compile(r"[a-z][a-z0-9_]*")
SPACES = {" ": "space", "\u00a0": "non-breaking space", "\u202f": "narrow non-breaking space", "\u2009": "thin space"}

# The files a collection folder may hold, each with the layout of a seed; only facts is required.
COLLECTION_LAYOUTS = {
    "facts": "facts_annual_report",
    "goals": "goals",
    "organisations": "organisations",
    "unconfirmable_facts": "unconfirmable_facts",
    "funding_members": "funding_members",
    "label_variants": "label_variants",
}
COLLECTION_FORMATS = ("csv", "parquet")
# Written beside a collection by `finsam generate` (--plant, --slips, --render); not inputs.
COLLECTION_NOT_INPUT = {"ground_truth.csv", "slips.csv", "renderings"}

# Tables of the same layout form one group for the key and reference rules (seeds and collection alike).
LAYOUT_GROUP = {"facts_annual_report": "facts", "facts_web_key_figures": "facts"}
KEYS = {
    "facts": FACT_KEY,
    "organisations": ("org_id",),
    "goals": ("org_id", "fiscal_year", "goal_id"),
    "funding_members": ("org_id", "statement", "line_id"),
    "label_variants": ("org_id", "statement", "label_printed"),
    "line_catalogue": ("statement", "line_id"),
}
# Two rows of one key conflict when these differ (default: any column). A fact printed again with other
# provenance (source reference, remark, label) is the same figure.
CONFLICTING = {"facts": ("value", "unit", "decimals")}
# (group, columns) -> (group, columns, where to add a missing value)
REFERENCES = [
    ("facts", ("org_id",), "organisations", ("org_id",), "add the association to organisations"),
    ("facts", ("statement", "line_id"), "line_catalogue", ("statement", "line_id"), "add the line to seeds/reference/line_catalogue.csv or correct the id"),
    ("facts", ("unit",), "units", ("unit",), "use a unit of seeds/reference/units.csv"),
    ("goals", ("org_id",), "organisations", ("org_id",), "add the association to organisations"),
    ("unconfirmable_facts", ("org_id",), "organisations", ("org_id",), "add the association to organisations"),
    ("funding_members", ("org_id",), "organisations", ("org_id",), "add the association to organisations"),
    ("funding_members", ("statement", "line_id"), "line_catalogue", ("statement", "line_id"), "name a line of Note 2 in seeds/reference/line_catalogue.csv"),
    ("funding_members", ("member_type",), "funding_rule", ("member_type",), "use state, region or municipality"),
    ("label_variants", ("org_id",), "organisations", ("org_id",), "add the association to organisations, or leave org_id empty for every association"),
    ("label_variants", ("statement", "line_id"), "line_catalogue", ("statement", "line_id"), "name a line of seeds/reference/line_catalogue.csv"),
]


@dataclass(frozen=True)
class Finding:
    """A problem (the input is refused) or a note (read in an unambiguous way, or harmless)."""

    file: str
    line: int
    column: int
    column_name: str | None
    value: str | None
    message: str

    def location(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        if self.column_name:
            where += f" ({self.column_name})"
        return where

    def __str__(self) -> str:
        value = f" {self.value!r}:" if self.value is not None else ""
        return f"{self.location()}:{value} {self.message}"


@dataclass
class TableSchema:
    name: str
    path: Path
    columns: list[str]
    families: dict[str, str]   # column -> text | integer | decimal | boolean
    sql_types: dict[str, str]  # column -> DuckDB type
    required: set[str]

    def __post_init__(self) -> None:
        self.positions = {name: k for k, name in enumerate(self.columns, start=1)}


@dataclass
class Table:
    """A file read as text, row by row: each row's values and the line it starts on."""

    schema: TableSchema
    rel: str                   # the file as messages name it
    rows: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def _type_family(dbt_type: str) -> str:
    t = dbt_type.lower()
    if t.startswith(("decimal", "numeric", "double", "float", "real")):
        return "decimal"
    if t.startswith(("int", "bigint", "smallint")):
        return "integer"
    if t.startswith("bool"):
        return "boolean"
    return "text"


def load_schemas(project: Project) -> dict[str, TableSchema]:
    """Expected columns, types and required columns of every seed, from the seed YAML files."""
    project_types = project.dbt_project_config().get("seeds", {}).get("finsam", {})
    schemas: dict[str, TableSchema] = {}
    for yml in sorted(project.seeds_dir.rglob("_*.yml")):
        folder = yml.parent.relative_to(project.seeds_dir).parts
        doc = yaml.safe_load(yml.read_text(encoding="utf-8")) or {}
        for seed in doc.get("seeds", []):
            name = seed["name"]
            types = dict(seed.get("config", {}).get("column_types", {}))
            scope = project_types
            for part in (*folder, name):
                scope = scope.get(part, {}) if isinstance(scope, dict) else {}
            types.update(scope.get("+column_types", {}) if isinstance(scope, dict) else {})
            columns = [c["name"] for c in seed.get("columns", [])]
            # the columns the seed's column_rules test says are never null
            required = {column for test in seed.get("data_tests", []) if isinstance(test, dict) and "column_rules" in test
                        for column in test["column_rules"].get("arguments", {}).get("not_null", [])}
            if LAYOUT_GROUP.get(name) == "facts":
                required |= set(FACT_KEY) | {"label_printed", "value", "unit", "decimals", "source_ref"}
            schemas[name] = TableSchema(name, yml.parent / f"{name}.csv", columns,
                                        {c: _type_family(types.get(c, "varchar")) for c in columns},
                                        {c: str(types.get(c, "varchar")) for c in columns}, required)
    return schemas


# ---------------------------------------------------------------------------------------------- readers

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
             for name in schema.columns if name not in header]
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
        table.rows.append(dict(zip(header, (field.strip() for field in record))))
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
            columns = ", ".join(f"coalesce(trim(cast(\"{c}\" as varchar)), '') as \"{c}\"" for c in schema.columns)
            if any(schema.families[c] != "text" and found[c] == "VARCHAR" for c in schema.columns):
                table = Table(schema, rel)  # numbers written as strings: the CSV rules, row by row
                rows = inputs.con.execute(f"select {columns} from read_parquet(?)", [readable]).fetchall()
                for number, record in enumerate(rows, start=1):
                    table.rows.append(dict(zip(schema.columns, record)))
                    table.lines.append(number)
                _check_values(table, problems, readings)
                inputs.add_rows(table)
                return
            inputs.add_stored_values(schema, rel, {c for c in schema.columns if found[c].startswith(PARQUET_NUMERIC)},
                                     {c for c in schema.columns if found[c].startswith(PARQUET_INTEGER)},
                                     f"select {columns}, $file as _file, cast(file_row_number + 1 as integer) as _line "
                                     "from read_parquet($path, file_row_number = true)", {"file": rel, "path": readable}, problems)
    except duckdb.Error as err:
        problems.append(Finding(rel, 1, 1, None, None, f"the file cannot be read as Parquet ({err}); write it "
                                                       "again, or give the collection as CSV"))


# ---------------------------------------------------------------------------------------------- values

def parse_number(text: str, decimals: int | None, integer: bool) -> tuple[str | None, str | None, str | None]:
    """(canonical text, reading, problem) for one numeric cell as typed by a person.

    Canonical: optional '-', digits, optionally '.' and digits. `decimals` (the row's printed decimals)
    disambiguates a lone comma or dot: it is a decimal separator only when the digits after it are
    exactly that many.
    """
    s = text.strip()
    if s == "":
        return None, None, ("the value is empty; a blank cell in a printed table is not a fact: leave the row "
                            "out, or write 0 if the report prints 0")
    notes: list[str] = []
    if re.search(rf"[^0-9.,+\-{''.join(MINUS_SIGNS)}{''.join(SPACES)}]", s):
        other = next((c for c in s if c.isdigit() and not c.isascii()), None)
        if other:
            return None, None, (f"the digit {other!r} (U+{ord(other):04X}) is not one of 0–9; type the number with "
                                "the digits 0–9")
        return None, None, "not a number; an amount column holds digits only (put words in the remark column)"
    if s.startswith("--") or s.startswith("+-") or s.startswith("-+"):
        return None, None, ("two signs in front of the number: a doubled minus is ambiguous; write the value "
                            "with one '-' and note the printing in the remark column")
    if s[0] in MINUS_SIGNS:
        notes.append(f"read the {MINUS_SIGNS[s[0]]} as a minus sign")
        s = "-" + s[1:]
    sign = ""
    if s[0] == "+":
        notes.append("read the leading '+' as no sign")
    if s[0] in "+-":
        sign, s = ("-" if s[0] == "-" else ""), s[1:].lstrip()
    for ch, name in SPACES.items():
        if ch in s:
            if not re.fullmatch(rf"[0-9]{{1,3}}({re.escape(ch)}[0-9]{{3}})+([.,][0-9]+)?", s):
                return None, None, (f"a {name} inside the number that is not a thousands separator; "
                                    "write the number without spaces, e.g. 12499887")
            notes.append(f"read {name}s as thousands separators")
            s = s.replace(ch, "")
    if not re.fullmatch(r"[0-9.,]+", s) or not re.search(r"[0-9]", s):
        return None, None, "not a number; an amount column holds digits only (put words in the remark column)"
    if s.count(",") and s.count("."):
        return None, None, ("both ',' and '.' in one number; write it with a decimal point and no thousands "
                            "separator, e.g. 1234.5")
    for sep, sep_name in ((",", "comma"), (".", "dot")):
        n = s.count(sep)
        if n == 0:
            continue
        groups = s.split(sep)
        if n > 1:
            if all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
                notes.append(f"read the {sep_name}s as thousands separators")
                s = "".join(groups)
                continue
            return None, None, f"several {sep_name}s in one number; write it as digits with at most one decimal point"
        whole, frac = groups
        if integer:
            return None, None, f"a whole number is expected here; '{sep}' makes it ambiguous: write digits only"
        if not whole:
            return None, None, "not a number"
        # only a separator followed by exactly three digits could be a thousands separator
        if len(frac) == 3 and decimals != 3 and not (sep == "." and decimals is None):
            return None, None, (f"ambiguous {sep_name}: with {decimals} printed decimals, '{sep}{frac}' could be a "
                                "decimal or a thousands separator; write the value with a decimal point and set "
                                "the decimals column to the number of printed decimals")
        if sep == ",":
            notes.append("read the decimal comma as a decimal point")
        s = f"{whole}.{frac}"
    if integer and "." in s:
        return None, None, "a whole number is expected here"
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", s):
        return None, None, "not a number"
    canonical = sign + s
    if decimals is not None and not integer:
        digits = len(s.split(".")[1]) if "." in s else 0
        if digits != decimals:
            return None, None, (f"the value has {digits} decimals but the decimals column says {decimals}: "
                                "record the value exactly as printed and its printed decimals")
    return canonical, ("; ".join(notes) if notes else None), None


def _check_values(table: Table, problems: list[Finding], readings: list[Finding]) -> None:
    schema = table.schema
    checked = [(name, schema.families[name], name in schema.required, schema.positions[name],
                _digit_limit(schema.sql_types[name])) for name in schema.columns]
    for row, line in zip(table.rows, table.lines):
        decimals = row.get("decimals", "")
        decimals = int(decimals) if decimals.isdigit() else None
        for name, family, required, column, limit in checked:
            raw = row[name]
            if not raw:
                if required:
                    problems.append(Finding(table.rel, line, column, name, raw,
                                            "this column must not be empty" if family == "text" else
                                            parse_number(raw, None, False)[2]))
                continue
            if family == "text":
                control = CONTROL.search(raw)
                if control:
                    problems.append(Finding(table.rel, line, column, name, raw.encode("unicode_escape").decode("ascii"),
                                            f"a control character (U+{ord(control.group()):04X}) in the text: delete it"))
                elif name in ID_COLUMNS and not ID.fullmatch(raw):
                    problems.append(Finding(table.rel, line, column, name, raw,
                                            "an id is lower-case letters a-z, digits and _, starting with a letter "
                                            "(e.g. sf_vasteras): every report and output names the association by it"))
                continue
            if family == "boolean":
                if raw.lower() not in ("true", "false"):
                    problems.append(Finding(table.rel, line, column, name, raw, "write true or false"))
                continue
            places = decimals if name == "value" else None
            if family == "integer" and raw.isascii() and raw.isdigit():
                canonical, reading, problem = raw, None, None  # the common case, already canonical
            else:
                canonical, reading, problem = parse_number(raw, places, integer=family == "integer")
            if problem is None and canonical is not None:
                problem = _too_many_digits(canonical, limit)
            if problem:
                problems.append(Finding(table.rel, line, column, name, raw, problem))
            else:
                if reading:
                    readings.append(Finding(table.rel, line, column, name, raw, f"{reading}: {canonical}"))
                row[name] = canonical


def _digit_limit(sql_type: str) -> tuple[int, int] | None:
    """(digits before, digits after the decimal point) a warehouse column of this type holds."""
    declared = re.fullmatch(r"\s*decimal\((\d+),\s*(\d+)\)\s*", sql_type.lower())
    if declared:
        return int(declared[1]) - int(declared[2]), int(declared[2])
    return (9, 0) if sql_type.lower() in ("integer", "int", "int4") else None


def _too_many_digits(canonical: str, limit: tuple[int, int] | None) -> str | None:
    """A problem where the number has more digits than its warehouse column holds (DuckDB would refuse it)."""
    if limit is None:
        return None
    whole, _, frac = canonical.lstrip("-").partition(".")
    if len(whole.lstrip("0")) > limit[0] or len(frac) > limit[1]:
        return (f"more digits than the warehouse holds ({limit[0]} before and {limit[1]} after the decimal point): "
                "check the number")
    return None


# ---------------------------------------------------------------------------------------------- rules

def sql_string(text: str) -> str:
    """A properly quoted SQL string literal (for the one statement that takes no parameter: ATTACH)."""
    return "'" + text.replace("'", "''") + "'"


def _quoted(columns) -> str:
    return ", ".join(f'"{c}"' for c in columns)


# A number a Parquet file stores as a number, seen as text: what is wrong with it (null if nothing), and the
# text it is loaded as (its printed decimals; trailing zeros of an unknown number of decimals dropped).
STORED_NUMBER_MACROS = """
create macro stored_digits_problem(raw, digits_before, digits_after) as case
    when length(ltrim(ltrim(split_part(raw, '.', 1), '-'), '0')) > digits_before
        then 'more digits than the warehouse holds (' || digits_before || ' before and ' || digits_after
             || ' after the decimal point): check the number'
end;
create macro stored_number_problem(raw, places, digits_before, digits_after) as case
    when raw = '' then null
    when contains(lower(raw), 'e') then 'written with an exponent: write the number in full'
    when places is not null and rtrim(substr(split_part(raw, '.', 2), places + 1), '0') <> ''
        then 'the value has more decimals than the decimals column says (' || places || '): '
             || 'record the value exactly as printed and its printed decimals'
    else stored_digits_problem(raw, digits_before, digits_after)
end;
create macro stored_number_canonical(raw, places) as case
    when raw = '' then raw
    else split_part(raw, '.', 1) || case
        when coalesce(places, 0) > 0 then '.' || rpad(substr(split_part(raw, '.', 2), 1, places), places, '0')
        when places is null and rtrim(split_part(raw, '.', 2), '0') <> '' then '.' || rtrim(split_part(raw, '.', 2), '0')
        else '' end
end;
"""


class Inputs:
    """Every input as a table of text columns in one in-memory DuckDB, with the file and line of each row
    (_file, _line). The row rules — keys, references, years and labels — run once, as SQL, over seeds and
    collection alike; validated rows go from here to the build file, so at scale they never pass through
    Python."""

    def __init__(self) -> None:
        import duckdb

        # in memory, within the run's memory budget, spilling to a folder of its own (not the working one)
        self._spill = tempfile.TemporaryDirectory(prefix="finsam-validate-")
        self.con = duckdb.connect(config={**duckdb_settings(), "temp_directory": self._spill.name})
        self.con.execute("set preserve_insertion_order = true")
        self.con.execute(STORED_NUMBER_MACROS)
        self.con.execute("create table dropped (_file varchar, _line integer)")
        self.schemas: dict[str, TableSchema] = {}   # DuckDB table -> layout
        self.rels: dict[str, str] = {}              # DuckDB table -> the file as messages name it
        self.groups: dict[str, list[str]] = {}      # group -> DuckDB tables, in the order read
        self.rows: dict[str, Table] = {}            # DuckDB table -> its Python rows, where it was read as text

    def close(self) -> None:
        self.con.close()
        self._spill.cleanup()

    def new_table(self, schema: TableSchema, rel: str) -> str:
        name = f"input_{len(self.schemas)}"
        self.schemas[name], self.rels[name] = schema, rel
        self.groups.setdefault(LAYOUT_GROUP.get(schema.name, schema.name), []).append(name)
        return name

    def add_rows(self, table: Table) -> str:
        import pandas as pd

        name = self.new_table(table.schema, table.rel)
        columns = table.schema.columns
        frame = pd.DataFrame([[row[c] for c in columns] for row in table.rows], columns=columns, dtype="string")
        frame["_line"] = pd.Series(table.lines, dtype="int32")
        texts = ", ".join(f"coalesce(\"{c}\", '') as \"{c}\"" for c in columns)
        self.con.register("rows_in", frame)
        self.con.execute(f"create table {name} as select {texts}, $file as _file, _line from rows_in", {"file": table.rel})
        self.con.unregister("rows_in")
        self.rows[name] = table
        return name

    def add_stored_values(self, schema: TableSchema, rel: str, numeric: set[str], integers: set[str], source: str,
                          parameters: dict[str, str], problems: list[Finding]) -> str:
        """A new table from `source` (the layout's columns as text, _file and _line), with the stored values'
        rules: required columns filled; numbers stored as numbers (`numeric`, of them `integers` as integers)
        shown with their printed decimals and within the digits of their warehouse column. One pass writes
        the numbers as text and finds the problems of every column, as columns of their own that are read
        and then dropped (a scan for the problems and a rewrite apart took 3.9 s of 6 s at 2.5 M facts)."""
        checks: list[tuple[str, bool, str]] = []  # (column, whether its raw value is shown, SQL of the problem)
        messages: dict[str, str] = {}             # a missing value's message, as a parameter
        canonical: dict[str, str] = {}
        for column in schema.columns:
            if column in schema.required:
                messages[f"empty_{len(checks)}"] = ("this column must not be empty" if schema.families[column] == "text"
                                                    else parse_number("", None, False)[2])
                checks.append((column, False, f"case when \"{column}\" = '' then $empty_{len(checks)} end"))
            before, after = _digit_limit(schema.sql_types[column]) or (38, 38)
            if column in integers and schema.families[column] == "integer":
                # an integer stored as one is written as the warehouse reads it: only its digits can be wrong
                checks.append((column, True, f"stored_digits_problem(\"{column}\", {before}, {after})"))
            elif column in numeric:
                places = ("try_cast(decimals as integer)" if column == "value" and "decimals" in schema.columns
                          else "0" if schema.families[column] == "integer" else "null")
                checks.append((column, True, f"stored_number_problem(\"{column}\", {places}, {before}, {after})"))
                canonical[column] = f"stored_number_canonical(\"{column}\", {places})"
        name = self.new_table(schema, rel)
        written = ", ".join(f"{canonical[c]} as \"{c}\"" if c in canonical else f'"{c}"' for c in schema.columns)
        found = "".join(f", {sql} as _problem_{k}" + (f", \"{column}\" as _raw_{k}" if shown else "")
                        for k, (column, shown, sql) in enumerate(checks))
        self.con.execute(f"create table {name} as select {written}, _file, _line{found} from ({source})",
                         {**parameters, **messages})
        if not checks:
            return name
        any_found = " or ".join(f"_problem_{k} is not null" for k in range(len(checks)))
        shown_or_empty = ", ".join(f"_problem_{k}, " + (f"_raw_{k}" if shown else "''")
                                   for k, (_, shown, _) in enumerate(checks))
        rows = self.con.execute(f"select _line, {shown_or_empty} from {name} where {any_found} order by _line").fetchall()
        for k, (column, _, _) in enumerate(checks):
            problems.extend(Finding(rel, row[0], schema.positions[column], column, row[2 + 2 * k], row[1 + 2 * k])
                            for row in rows if row[1 + 2 * k] is not None)
        for k, (_, shown, _) in enumerate(checks):
            self.con.execute(f"alter table {name} drop column _problem_{k}")
            if shown:
                self.con.execute(f"alter table {name} drop column _raw_{k}")
        return name

    def union(self, group: str, columns) -> str | None:
        """SQL of a group's rows across its tables: the columns, _file, _line and _table (its place in reading order)."""
        parts = [f"select {_quoted(columns)}, _file, _line, {k} as _table from {table}"
                 for k, table in enumerate(self.groups.get(group, []))]
        return "(" + " union all ".join(parts) + ")" if parts else None

    def position(self, group: str, column: str) -> int:
        return self.schemas[self.groups[group][0]].positions[column]

    def table_rows(self, group: str) -> list[dict[str, str]]:
        """A small group's rows (reference data) as dicts."""
        if not self.groups.get(group):
            return []
        relation = self.con.sql(f"select * from {self.union(group, self.schemas[self.groups[group][0]].columns)}")
        return [dict(zip(relation.columns, row)) for row in relation.fetchall()]


def _check_keys(inputs: Inputs, problems: list[Finding], readings: list[Finding]) -> None:
    """Declared keys across every table of a group: a conflicting duplicate is an error naming both rows,
    an identical one a note (and the row is loaded once), whatever the order of the rows."""
    for group, columns in KEYS.items():
        if not inputs.groups.get(group):
            continue
        conflicting = CONFLICTING.get(group, inputs.schemas[inputs.groups[group][0]].columns)
        # the keys that occur twice first (a grouping), then the window over their rows only
        inputs.con.execute(f"create or replace temp table repeated_keys as select {_quoted(columns)} "
                           f"from {inputs.union(group, columns)} group by all having count(*) > 1")
        if not inputs.con.execute("select count(*) from repeated_keys").fetchall()[0][0]:
            continue
        window = f"(partition by {_quoted(columns)} order by _table, _line)"
        differing = " || ".join(f"case when \"{c}\" is distinct from first_value(\"{c}\") over {window} "
                                f"then ', {c}' else '' end" for c in conflicting)
        rows = inputs.con.execute(f"""
            select _file, _line, concat_ws(',', {_quoted(columns)}), first_value(_file) over {window},
                   first_value(_line) over {window}, ltrim({differing}, ', '), row_number() over {window} as k
            from {inputs.union(group, list(dict.fromkeys([*columns, *conflicting])))}
            where ({_quoted(columns)}) in (select ({_quoted(columns)}) from repeated_keys)
            qualify k > 1
            order by _table, _line""").fetchall()
        for file, line, key, first_file, first_line, differing_columns, _ in rows:
            where = (file, line, inputs.position(group, columns[0]), f"{' + '.join(columns)} (the key)", key)
            if differing_columns:
                problems.append(Finding(*where, f"duplicate: the same key as {first_file}:{first_line} with other values "
                                                f"({differing_columns}): keep the row the report prints and delete the other"))
            else:
                readings.append(Finding(*where, f"the same figure as {first_file}:{first_line}; read once"))
            inputs.con.execute("insert into dropped values (?, ?)", [file, line])


def _check_references(inputs: Inputs, problems: list[Finding]) -> None:
    for group, columns, target, target_columns, what_to_do in REFERENCES:
        rows, known = inputs.union(group, columns), inputs.union(target, target_columns)
        if rows is None or known is None:
            continue
        matches = " and ".join(f'k."{t}" = r."{c}"' for c, t in zip(columns, target_columns))
        filled = " and ".join(f"r.\"{c}\" <> ''" for c in columns)
        found = inputs.con.execute(f"""
            select r._file, r._line, concat_ws(' ', {', '.join(f'r."{c}"' for c in columns)})
            from {rows} as r where {filled} and not exists (select 1 from {known} as k where {matches})
            order by r._table, r._line""").fetchall()
        name = columns[-1]
        for file, line, value in found:
            problems.append(Finding(file, line, inputs.position(group, name), name, value,
                                    f"unknown {' '.join(c.replace('_', ' ') for c in columns)}: {what_to_do}"))


def _check_facts(inputs: Inputs, problems: list[Finding]) -> None:
    """Years a report can print, years of the association, and printed labels of table rows."""
    facts = inputs.union("facts", ["org_id", "report_year", "fiscal_year", "statement", "line_id", "label_printed"])
    if facts is None:
        return
    fiscal_year = inputs.position("facts", "fiscal_year")
    for file, line, year, report_year in inputs.con.execute(f"""
            select _file, _line, fiscal_year, cast(report_year as integer) from {facts}
            where cast(report_year as integer) - cast(fiscal_year as integer) not between 0 and {MAX_YEARS_BEFORE_REPORT}
            order by _table, _line""").fetchall():
        problems.append(Finding(file, line, fiscal_year, "fiscal_year", year,
                                f"a report of {report_year} prints years {report_year - MAX_YEARS_BEFORE_REPORT}–"
                                f"{report_year}; check the fiscal or report year"))
    orgs = inputs.union("organisations", ["org_id", "first_fiscal_year", "last_fiscal_year"])
    if orgs is not None:
        for file, line, year, org_id, first, last in inputs.con.execute(f"""
                select f._file, f._line, f.fiscal_year, f.org_id, o.first_fiscal_year, o.last_fiscal_year
                from {facts} as f inner join {orgs} as o on o.org_id = f.org_id
                where cast(f.fiscal_year as integer) < cast(nullif(o.first_fiscal_year, '') as integer)
                   or cast(f.fiscal_year as integer) > cast(nullif(o.last_fiscal_year, '') as integer)
                order by f._table, f._line""").fetchall():
            problems.append(Finding(file, line, fiscal_year, "fiscal_year", year,
                                    f"outside {org_id}'s years {first or '…'}–{last or 'today'} (its organisations row)"))
    # labels: decided once per distinct (association, statement, line, label), then found in the rows
    labels = LabelIndex.build(inputs.table_rows("line_catalogue"), inputs.table_rows("label_variants"))
    tables = {r["statement"] for r in inputs.table_rows("statements") if r.get("layout", "table") == "table"}
    wrong = {}
    for org_id, statement, line_id, label in inputs.con.execute(
            f"select distinct org_id, statement, line_id, label_printed from {facts}").fetchall():
        if statement in tables and (statement, line_id) in labels.canonical:
            meaning = labels.lines_for(org_id, statement, label)
            if line_id not in meaning:
                wrong[(org_id, statement, line_id, label)] = meaning
    if not wrong:
        return
    import pandas as pd

    inputs.con.register("wrong_labels", pd.DataFrame(list(wrong), dtype="string",
                                                     columns=["org_id", "statement", "line_id", "label_printed"]))
    for file, line, org_id, statement, line_id, label in inputs.con.execute(f"""
            select f._file, f._line, f.org_id, f.statement, f.line_id, f.label_printed from {facts} as f
            inner join wrong_labels using (org_id, statement, line_id, label_printed) order by f._table, f._line""").fetchall():
        meaning = wrong[(org_id, statement, line_id, label)]
        close = labels.closest(org_id, statement, label, n=1)
        hint = (f"; it is the label of line {sorted(meaning)[0]}: correct the line_id" if meaning else
                f"; the closest known label of {statement} is '{close[0][0]}'" if close and close[0][2] >= 0.6 else "")
        problems.append(Finding(
            file, line, inputs.position("facts", "label_printed"), "label_printed", label,
            f"not a known label of line {line_id} (canonical '{labels.canonical[(statement, line_id)]}'){hint}. If the "
            f"report prints it so, add the row {org_id},{statement},{label},{line_id} to seeds/reference/label_variants.csv"))
    inputs.con.unregister("wrong_labels")


# ---------------------------------------------------------------------------------------------- entry point

def _serialise(table: Table, dropped: set[int]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.schema.columns)
    for row, line in zip(table.rows, table.lines):
        if line not in dropped:
            writer.writerow([row[c] for c in table.schema.columns])
    return out.getvalue()


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


@dataclass
class ValidationResult:
    problems: list[Finding]
    readings: list[Finding]
    normalised: dict[Path, str]                               # relative seed path -> normalised CSV text
    inputs: Inputs | None = None
    collection: dict[str, str] = field(default_factory=dict)  # collection file name -> its validator table
    org_ids: set[str] = field(default_factory=set)            # every association of seeds and collection

    @property
    def ok(self) -> bool:
        return not self.problems

    def _kept(self, name: str) -> str:
        table = self.collection[name]
        return (f"{table} as t where not exists "
                "(select 1 from dropped as d where d._file = t._file and d._line = t._line)")

    def collection_rows(self, name: str) -> int:
        """How many rows of a collection file are loaded (an identical duplicate once)."""
        return self.inputs.con.execute(f"select count(*) from {self._kept(name)}").fetchall()[0][0]

    def close(self) -> None:
        """Free the validator's tables (the whole collection, at scale)."""
        if self.inputs is not None:
            self.inputs.close()
            self.inputs = None

    def load_collection(self, build_db: Path) -> None:
        """The validated collection into schema `collection` of the (existing) build file, typed by each layout."""
        if not self.collection:
            return
        con = self.inputs.con
        con.execute(f"attach {sql_string(str(build_db))} as build")
        try:
            con.execute("create schema build.collection")
            for name, table in self.collection.items():
                schema = self.inputs.schemas[table]
                typed = ", ".join(f"cast(nullif(\"{c}\", '') as {schema.sql_types[c]}) as \"{c}\"" for c in schema.columns)
                con.execute(f'create table build.collection."{name}" as select {typed} from {self._kept(name)} order by _line')
        finally:
            con.execute("detach build")


def validate_inputs(project: Project, collection: Path | None = None) -> ValidationResult:
    """Validate every seed, and the collection folder if given; return all problems and notes, the
    normalised seed texts and the validated collection, ready to load into the build."""
    schemas = load_schemas(project)
    problems: list[Finding] = []
    readings: list[Finding] = []
    inputs = Inputs()
    seeds: dict[str, str] = {}
    described = {s.path.relative_to(project.seeds_dir) for s in schemas.values()}
    for rel_path in sorted({p.relative_to(project.seeds_dir) for p in project.seeds_dir.rglob("*.csv")} - described):
        problems.append(Finding(f"seeds/{rel_path}", 1, 1, None, None,
                                "no schema for this seed: describe it and its columns in the _*.yml beside it"))
    for name, schema in schemas.items():
        rel = f"seeds/{schema.path.relative_to(project.seeds_dir)}"
        if not schema.path.is_file():
            problems.append(Finding(rel, 1, 1, None, None, "the seed file is missing; restore it from git"))
            continue
        table = read_csv_table(schema.path, rel, schema, problems, readings)
        if table is not None:
            _check_values(table, problems, readings)
            seeds[name] = inputs.add_rows(table)
    loaded: dict[str, str] = {}
    if collection is not None:
        files, folder_problems, notes = collection_files(collection)
        problems += folder_problems
        readings += notes
        for name, path in files.items():
            schema = schemas[COLLECTION_LAYOUTS[name]]
            before = set(inputs.schemas)
            if path.suffix == ".csv":
                table = read_csv_table(path, str(path), schema, problems, readings)
                if table is not None:
                    _check_values(table, problems, readings)
                    inputs.add_rows(table)
            else:
                read_parquet_table(inputs, path, str(path), schema, problems, readings)
            loaded.update({name: table_name for table_name in set(inputs.schemas) - before})
    _check_keys(inputs, problems, readings)
    _check_references(inputs, problems)
    _check_facts(inputs, problems)
    dropped: dict[str, set[int]] = {}
    for file, line in inputs.con.execute("select _file, _line from dropped").fetchall():
        dropped.setdefault(file, set()).add(line)
    normalised = {schemas[name].path.relative_to(project.seeds_dir):
                  _serialise(inputs.rows[table], dropped.get(inputs.rels[table], set())) for name, table in seeds.items()}
    org_ids = {r["org_id"] for r in inputs.table_rows("organisations")}
    return ValidationResult(problems, readings, normalised, inputs, loaded, org_ids)
