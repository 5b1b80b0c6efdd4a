"""The validator's store: every input as a table of text columns in one in-memory DuckDB."""

from __future__ import annotations

import re
import tempfile

from finsam.inputs.findings import Finding
from finsam.inputs.layouts import LAYOUT_GROUP, Table, TableSchema
from finsam.inputs.numbers import parse_number
from finsam.project import duckdb_settings


def digit_limit(sql_type: str) -> tuple[int, int] | None:
    """(digits before, digits after the decimal point) a warehouse column of this type holds."""
    declared = re.fullmatch(r"\s*decimal\((\d+),\s*(\d+)\)\s*", sql_type.lower())
    if declared:
        return int(declared[1]) - int(declared[2]), int(declared[2])
    return (9, 0) if sql_type.lower() in ("integer", "int", "int4") else None


def sql_string(text: str) -> str:
    """A properly quoted SQL string literal (for the one statement that takes no parameter: ATTACH)."""
    return "'" + text.replace("'", "''") + "'"


def quoted_columns(columns) -> str:
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
        and then dropped (a scan for the problems and a rewrite apart would read every value twice)."""
        checks: list[tuple[str, bool, str]] = []  # (column, whether its raw value is shown, SQL of the problem)
        messages: dict[str, str] = {}             # a missing value's message, as a parameter
        canonical: dict[str, str] = {}
        for column in schema.columns:
            if column in schema.required:
                messages[f"empty_{len(checks)}"] = ("this column must not be empty" if schema.families[column] == "text"
                                                    else parse_number("", None, False)[2])
                checks.append((column, False, f"case when \"{column}\" = '' then $empty_{len(checks)} end"))
            before, after = digit_limit(schema.sql_types[column]) or (38, 38)
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
        """SQL of a group's rows across its tables: the columns, _file, _line and _table (its place in reading
        order)."""
        parts = [f"select {quoted_columns(columns)}, _file, _line, {k} as _table from {table}"
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
