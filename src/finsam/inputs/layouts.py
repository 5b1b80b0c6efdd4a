"""The layouts of every input: the seeds' columns and types (from their YAML), the files a collection
may hold, and the keys and references the row rules check."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from finsam.project import Project

FACT_KEY = ("org_id", "report_year", "fiscal_year", "statement", "line_id", "measure")


# A report prints its own year and up to four earlier ones (the five-year overview).
MAX_YEARS_BEFORE_REPORT = 4


# C0 control characters and DEL; a line break inside a quoted value is allowed
CONTROL = re.compile(r"[\x00-\x09\x0b-\x0c\x0e-\x1f\x7f]")


ID_COLUMNS = ("org_id",)            # ids that name an association in file names, reports and marts


ID = re.compile(r"[a-z][a-z0-9_]*")


# The files a collection folder may hold, each with the layout of a seed; only facts is required.
COLLECTION_LAYOUTS = {
    "facts": "facts_annual_report",
    "goals": "goals",
    "organisations": "organisations",
    "unconfirmable_facts": "unconfirmable_facts",
    "funding_members": "funding_members",
    "label_variants": "label_variants",
    "own_lines": "own_lines",
    "interventions": "interventions",
}


COLLECTION_FORMATS = ("csv", "parquet")


# Written beside a collection by `finsam generate` (--plant, --slips, --render); not inputs.
COLLECTION_NOT_INPUT = {"ground_truth.csv", "slips.csv", "renderings"}


# Tables of the same layout form one group for the key and reference rules (seeds and collection alike).
LAYOUT_GROUP = {"facts_annual_report": "facts", "facts_web_key_figures": "facts"}


# Columns a file of the layout may leave out (read as empty), with their type: what only some producers
# know. Not in the seeds' YAML: dbt cannot type or describe a column its seed file does not have.
OPTIONAL = {"facts": {"confidence": "decimal(5,1)"}}   # how sure an OCR reading is


KEYS = {
    "facts": FACT_KEY,
    "organisations": ("org_id",),
    "goals": ("org_id", "fiscal_year", "goal_id"),
    "funding_members": ("org_id", "statement", "line_id"),
    "label_variants": ("org_id", "statement", "label_printed"),
    "line_catalogue": ("statement", "line_id"),
    "own_lines": ("org_id", "statement", "line_id"),
    "interventions": ("org_id", "intervention_id"),
}


# A line an association may name: one of the standard chart (every association's) or one of its own. A
# reference to these alternatives holds when one of them has the row's columns of the same names.
LINES = (("line_catalogue", ("statement", "line_id")), ("own_lines", ("org_id", "statement", "line_id")))


# Two rows of one key conflict when these differ (default: any column). A fact printed again with other
# provenance (source reference, remark, label) is the same figure.
CONFLICTING = {"facts": ("value", "unit", "decimals")}


# (group, columns) -> (group, columns, where to add a missing value); or -> (alternatives, ())
REFERENCES = [
    ("facts", ("org_id",), "organisations", ("org_id",), "add the association to organisations"),
    ("facts", ("org_id", "statement", "line_id"), LINES, (),
     "add the line to the association's own_lines (or correct the id); a line every report prints belongs to seeds/reference/line_catalogue.csv"),
    ("facts", ("unit",), "units", ("unit",), "use a unit of seeds/reference/units.csv"),
    ("goals", ("org_id",), "organisations", ("org_id",), "add the association to organisations"),
    ("unconfirmable_facts", ("org_id",), "organisations", ("org_id",), "add the association to organisations"),
    ("funding_members", ("org_id",), "organisations", ("org_id",), "add the association to organisations"),
    ("funding_members", ("statement", "line_id"), "line_catalogue", ("statement", "line_id"), "name a line of Note 2 in seeds/reference/line_catalogue.csv"),
    ("funding_members", ("member_type",), "funding_rule", ("member_type",), "use state, region or municipality"),
    ("label_variants", ("org_id",), "organisations", ("org_id",), "add the association to organisations, or leave org_id empty for every association"),
    ("label_variants", ("org_id", "statement", "line_id"), LINES, (),
     "name a line of seeds/reference/line_catalogue.csv or of the association's own_lines"),
    ("own_lines", ("org_id",), "organisations", ("org_id",), "add the association to organisations"),
    ("own_lines", ("org_id", "intervention_id"), "interventions", ("org_id", "intervention_id"),
     "add the intervention to the association's interventions"),
    ("interventions", ("org_id",), "organisations", ("org_id",), "add the association to organisations"),
]


@dataclass
class TableSchema:
    name: str
    path: Path
    columns: list[str]
    families: dict[str, str]   # column -> text | integer | decimal | boolean
    sql_types: dict[str, str]  # column -> DuckDB type
    required: set[str]
    optional: set[str] = field(default_factory=set)   # columns a file may leave out (read as empty)

    def __post_init__(self) -> None:
        self.positions = {name: k for k, name in enumerate(self.columns, start=1)}

    def written_columns(self, rows: list[dict[str, str]]) -> list[str]:
        """The columns a file of these rows is written with: an optional one only where a row has a value."""
        return [c for c in self.columns if c not in self.optional or any(row.get(c) for row in rows)]


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
            optional = OPTIONAL.get(LAYOUT_GROUP.get(name, name), {})
            types = {**optional, **types}
            columns += [c for c in optional if c not in columns]   # documented in docs/ingest.md, not the seed
            # the columns the seed's column_rules test says are never null
            required = {column for test in seed.get("data_tests", []) if isinstance(test, dict) and "column_rules" in test
                        for column in test["column_rules"].get("arguments", {}).get("not_null", [])}
            if LAYOUT_GROUP.get(name) == "facts":
                required |= set(FACT_KEY) | {"label_printed", "value", "unit", "decimals", "source_ref"}
            schemas[name] = TableSchema(name, yml.parent / f"{name}.csv", columns,
                                        {c: _type_family(types.get(c, "varchar")) for c in columns},
                                        {c: str(types.get(c, "varchar")) for c in columns}, required, set(optional))
    return schemas
