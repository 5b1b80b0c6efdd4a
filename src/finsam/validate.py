"""Validate every seed before anything is written.

Seeds are typed by people from PDFs, in Swedish number formats. Each problem is reported with file,
line, column, the value and what to do, and all problems of a run are reported together. Where a value
is unambiguous (a UTF-8 byte-order mark, a Unicode minus sign, spaces between thousands) it is read and
the reading is reported; where it is ambiguous (a lone comma or dot that could be a decimal or a
thousands separator, a doubled minus, another encoding) the file is refused.

The expected columns of each seed come from its YAML (the documented columns and `column_types`), so
the seed's shape is declared once.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from finsam.project import Project

NUMERIC_TYPES = ("integer", "decimal", "double", "bigint")
FACT_SEEDS = ("facts_annual_report", "facts_web_key_figures")
FACT_KEY = ("org_id", "report_year", "fiscal_year", "statement", "line_id", "measure")
# A report prints its own year and up to four earlier ones (the five-year overview).
MAX_YEARS_BEFORE_REPORT = 4
MINUS_SIGNS = {"\u2212": "minus sign (U+2212)", "\u2013": "en dash (U+2013)", "\u2012": "figure dash (U+2012)"}
SPACES = {" ": "space", "\u00a0": "non-breaking space", "\u202f": "narrow non-breaking space", "\u2009": "thin space"}


@dataclass(frozen=True)
class Finding:
    """A problem (the file is refused) or a reading (a value was read in an unambiguous way)."""

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
class SeedSchema:
    name: str
    path: Path
    columns: list[str]
    types: dict[str, str]
    required: set[str]


@dataclass
class SeedFile:
    schema: SeedSchema
    rows: list[dict[str, str]] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)


@dataclass
class ValidationResult:
    problems: list[Finding]
    readings: list[Finding]
    normalised: dict[Path, str]  # relative seed path -> normalised CSV text

    @property
    def ok(self) -> bool:
        return not self.problems


def _type_family(dbt_type: str) -> str:
    t = dbt_type.lower()
    if t.startswith(("decimal", "numeric", "double", "float", "real")):
        return "decimal"
    if t.startswith(("int", "bigint", "smallint")):
        return "integer"
    if t.startswith("bool"):
        return "boolean"
    return "text"


def load_seed_schemas(project: Project) -> dict[str, SeedSchema]:
    """Expected columns, types and required columns of every seed, from the seed YAML files."""
    project_types = project.dbt_project_config().get("seeds", {}).get("finsam", {})
    schemas: dict[str, SeedSchema] = {}
    for yml in sorted(project.seeds_dir.rglob("_*.yml")):
        folder = yml.parent.relative_to(project.seeds_dir).parts
        doc = yaml.safe_load(yml.read_text(encoding="utf-8")) or {}
        for seed in doc.get("seeds", []):
            name = seed["name"]
            path = yml.parent / f"{name}.csv"
            types = dict(seed.get("config", {}).get("column_types", {}))
            scope = project_types
            for part in (*folder, name):
                scope = scope.get(part, {}) if isinstance(scope, dict) else {}
            types.update(scope.get("+column_types", {}) if isinstance(scope, dict) else {})
            columns = [c["name"] for c in seed.get("columns", [])]
            required = {
                c["name"]
                for c in seed.get("columns", [])
                if any(t == "not_null" or (isinstance(t, dict) and "not_null" in t) for t in c.get("data_tests", []))
            }
            if name in FACT_SEEDS:
                required |= set(FACT_KEY) | {"value", "unit", "decimals", "source_ref"}
            schemas[name] = SeedSchema(name, path, columns, {k: _type_family(v) for k, v in types.items()}, required)
    return schemas


def _decode(raw: bytes, rel: str, problems: list[Finding], readings: list[Finding]) -> str | None:
    if not raw.strip():
        problems.append(Finding(rel, 1, 1, None, None,
                                "the file is empty: it needs at least the header line; restore it from git"))
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
                           f"columns are separated by {name}; finsam seeds use commas: save the file as "
                           "comma-separated (quote a text value that contains a comma)")
    return None


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
    if re.search(rf"[^\d.,+\-{''.join(MINUS_SIGNS)}{''.join(SPACES)}]", s):
        return None, None, "not a number; an amount column holds digits only (put words in the remark column)"
    if s.startswith("--") or s.startswith("+-") or s.startswith("-+"):
        return None, None, ("two signs in front of the number: a doubled minus is ambiguous; write the value "
                            "with one '-' and note the printing in the remark column")
    if s[0] in MINUS_SIGNS:
        notes.append(f"read the {MINUS_SIGNS[s[0]]} as a minus sign")
        s = "-" + s[1:]
    sign = ""
    if s[0] in "+-":
        sign, s = ("-" if s[0] == "-" else ""), s[1:].lstrip()
    for ch, name in SPACES.items():
        if ch in s:
            if not re.fullmatch(rf"\d{{1,3}}({re.escape(ch)}\d{{3}})+([.,]\d+)?", s):
                return None, None, (f"a {name} inside the number that is not a thousands separator; "
                                    "write the number without spaces, e.g. 12499887")
            notes.append(f"read {name}s as thousands separators")
            s = s.replace(ch, "")
    if not re.fullmatch(r"[\d.,]+", s) or not re.search(r"\d", s):
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
    if not re.fullmatch(r"\d+(\.\d+)?", s):
        return None, None, "not a number"
    canonical = sign + s
    if decimals is not None and not integer:
        digits = len(s.split(".")[1]) if "." in s else 0
        if digits != decimals:
            return None, None, (f"the value has {digits} decimals but the decimals column says {decimals}: "
                                "record the value exactly as printed and its printed decimals")
    return canonical, ("; ".join(notes) if notes else None), None


def _read_rows(text: str, schema: SeedSchema, rel: str, problems: list[Finding]) -> SeedFile | None:
    lines = text.splitlines(keepends=True)
    header_problem = _delimiter_problem(lines[0] if lines else "", rel)
    if header_problem:
        problems.append(header_problem)
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        records = list(reader)
    except csv.Error as err:
        problems.append(Finding(rel, reader.line_num, 1, None, None, f"the file is not valid CSV: {err}"))
        return None
    header = [h.strip() for h in records[0]]
    missing = [c for c in schema.columns if c not in header]
    extra = [c for c in header if c not in schema.columns]
    for name in missing:
        problems.append(Finding(rel, 1, schema.columns.index(name) + 1, name, None,
                                f"the column '{name}' is missing; the header must be: {','.join(schema.columns)}"))
    for name in extra:
        problems.append(Finding(rel, 1, header.index(name) + 1, name, None,
                                f"unexpected column '{name}'; the header must be: {','.join(schema.columns)}"))
    if missing or extra:
        return None
    seed = SeedFile(schema)
    ends_with_newline = text.endswith(("\n", "\r"))
    for i, record in enumerate(records[1:], start=2):
        if not record or all(not f.strip() for f in record):
            continue
        if len(record) != len(header):
            last = i == len(records)
            hint = (" — the last line has no line break: the file looks truncated; restore the rest of the line"
                    if last and not ends_with_newline else "; quote a value that contains a comma")
            column = min(len(record), len(header)) + 1
            name = header[column - 1] if column <= len(header) else "(extra field)"
            problems.append(Finding(rel, i, column, name, ",".join(record)[:80],
                                    f"{len(record)} fields where the header has {len(header)}{hint}"))
            continue
        seed.rows.append(dict(zip(header, record)))
        seed.line_numbers.append(i)
    return seed


def _check_values(seed: SeedFile, rel: str, problems: list[Finding], readings: list[Finding]) -> None:
    schema = seed.schema
    col_index = {c: k + 1 for k, c in enumerate(schema.columns)}
    for row, line in zip(seed.rows, seed.line_numbers):
        decimals = None
        if "decimals" in row and re.fullmatch(r"\s*\d+\s*", row["decimals"] or ""):
            decimals = int(row["decimals"])
        for name in schema.columns:
            raw = row[name]
            family = schema.types.get(name, "text")
            if family == "text":
                if name in schema.required and not raw.strip():
                    problems.append(Finding(rel, line, col_index[name], name, raw, "this column must not be empty"))
                continue
            if not raw.strip() and name not in schema.required:
                continue
            if family == "boolean":
                if raw.strip().lower() not in ("true", "false"):
                    problems.append(Finding(rel, line, col_index[name], name, raw, "write true or false"))
                continue
            canonical, reading, problem = parse_number(
                raw, decimals if name == "value" else None, integer=family == "integer")
            if problem:
                problems.append(Finding(rel, line, col_index[name], name, raw, problem))
            else:
                if reading:
                    readings.append(Finding(rel, line, col_index[name], name, raw, f"{reading}: {canonical}"))
                row[name] = canonical


def _check_facts(seeds: dict[str, SeedFile], rels: dict[str, str], problems: list[Finding]) -> None:
    """Keys, references and year ranges of the fact seeds, before dbt sees them."""
    catalogue = {(r["statement"], r["line_id"]) for r in seeds["line_catalogue"].rows} if "line_catalogue" in seeds else None
    units = {r["unit"] for r in seeds["units"].rows} if "units" in seeds else None
    orgs = {r["org_id"]: r for r in seeds["organisations"].rows} if "organisations" in seeds else None
    seen: dict[tuple, str] = {}
    for name in FACT_SEEDS:
        if name not in seeds:
            continue
        seed, rel = seeds[name], rels[name]
        col = {c: k + 1 for k, c in enumerate(seed.schema.columns)}
        for row, line in zip(seed.rows, seed.line_numbers):
            key = tuple(row[c].strip() for c in FACT_KEY)
            if key in seen:
                problems.append(Finding(rel, line, 1, "org_id … measure (the fact's key)", ",".join(key),
                                        f"duplicate fact: the same org, report year, fiscal year, statement, line and "
                                        f"measure as {seen[key]}; keep one row"))
            else:
                seen[key] = f"{rel}:{line}"
            if catalogue is not None and (row["statement"], row["line_id"]) not in catalogue:
                problems.append(Finding(rel, line, col["line_id"], "line_id", row["line_id"],
                                        f"no line '{row['line_id']}' in statement {row['statement']} of "
                                        "seeds/reference/line_catalogue.csv: add the line there or correct the id"))
            if units is not None and row["unit"] not in units:
                problems.append(Finding(rel, line, col["unit"], "unit", row["unit"],
                                        f"unknown unit; use one of {', '.join(sorted(units))}"))
            if orgs is not None and row["org_id"] not in orgs:
                problems.append(Finding(rel, line, col["org_id"], "org_id", row["org_id"],
                                        "unknown organisation: add it to seeds/reference/organisations.csv"))
                continue
            try:
                report_year, fiscal_year = int(row["report_year"]), int(row["fiscal_year"])
            except (TypeError, ValueError):
                continue  # already reported as a number problem
            if not 0 <= report_year - fiscal_year <= MAX_YEARS_BEFORE_REPORT:
                problems.append(Finding(rel, line, col["fiscal_year"], "fiscal_year", row["fiscal_year"],
                                        f"a report of {report_year} prints years {report_year - MAX_YEARS_BEFORE_REPORT}"
                                        f"–{report_year}; check the fiscal or report year"))
            if orgs is not None:
                org = orgs[row["org_id"]]
                first, last = int(org["first_fiscal_year"]), int(org["last_fiscal_year"])
                if not first <= fiscal_year <= last:
                    problems.append(Finding(rel, line, col["fiscal_year"], "fiscal_year", row["fiscal_year"],
                                            f"outside {row['org_id']}'s years {first}–{last} "
                                            "(seeds/reference/organisations.csv)"))


def _serialise(seed: SeedFile) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(seed.schema.columns)
    for row in seed.rows:
        writer.writerow([row[c] for c in seed.schema.columns])
    return out.getvalue()


def validate_seeds(project: Project, seeds_dir: Path | None = None) -> ValidationResult:
    """Validate every seed with a schema; return all problems, all readings and normalised CSV texts."""
    seeds_dir = seeds_dir or project.seeds_dir
    schemas = load_seed_schemas(project)
    problems: list[Finding] = []
    readings: list[Finding] = []
    seeds: dict[str, SeedFile] = {}
    rels: dict[str, str] = {}
    csv_files = {p.relative_to(seeds_dir) for p in seeds_dir.rglob("*.csv")}
    described = {s.path.relative_to(project.seeds_dir) for s in schemas.values()}
    for rel_path in sorted(csv_files - described):
        problems.append(Finding(f"seeds/{rel_path}", 1, 1, None, None,
                                "no schema for this seed: describe it and its columns in the _*.yml beside it"))
    for name, schema in schemas.items():
        rel_path = schema.path.relative_to(project.seeds_dir)
        path = seeds_dir / rel_path
        rel = f"seeds/{rel_path}"
        rels[name] = rel
        if not path.is_file():
            problems.append(Finding(rel, 1, 1, None, None, "the seed file is missing; restore it from git"))
            continue
        text = _decode(path.read_bytes(), rel, problems, readings)
        if text is None:
            continue
        seed = _read_rows(text, schema, rel, problems)
        if seed is None:
            continue
        _check_values(seed, rel, problems, readings)
        seeds[name] = seed
    _check_facts(seeds, rels, problems)
    normalised = {s.schema.path.relative_to(project.seeds_dir): _serialise(s) for s in seeds.values()}
    return ValidationResult(problems, readings, normalised)
