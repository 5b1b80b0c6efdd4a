"""The row rules over every input: values, declared keys, references, years and printed labels."""

from __future__ import annotations

import csv
import io

from finsam.inputs.findings import Finding
from finsam.inputs.layouts import CONFLICTING, CONTROL, ID, ID_COLUMNS, KEYS, MAX_YEARS_BEFORE_REPORT, REFERENCES, Table
from finsam.inputs.numbers import parse_number
from finsam.inputs.store import Inputs, digit_limit, quoted_columns
from finsam.labels import LabelIndex


def check_values(table: Table, problems: list[Finding], readings: list[Finding]) -> None:
    schema = table.schema
    checked = [(name, schema.families[name], name in schema.required, schema.positions[name],
                digit_limit(schema.sql_types[name])) for name in schema.columns]
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


def _too_many_digits(canonical: str, limit: tuple[int, int] | None) -> str | None:
    """A problem where the number has more digits than its warehouse column holds (DuckDB would refuse it)."""
    if limit is None:
        return None
    whole, _, frac = canonical.lstrip("-").partition(".")
    if len(whole.lstrip("0")) > limit[0] or len(frac) > limit[1]:
        return (f"more digits than the warehouse holds ({limit[0]} before and {limit[1]} after the decimal point): "
                "check the number")
    return None


def check_keys(inputs: Inputs, problems: list[Finding], readings: list[Finding]) -> None:
    """Declared keys across every table of a group: a conflicting duplicate is an error naming both rows,
    an identical one a note (and the row is loaded once), whatever the order of the rows."""
    for group, columns in KEYS.items():
        if not inputs.groups.get(group):
            continue
        conflicting = CONFLICTING.get(group, inputs.schemas[inputs.groups[group][0]].columns)
        # the keys that occur twice first (a grouping), then the window over their rows only
        inputs.con.execute(f"create or replace temp table repeated_keys as select {quoted_columns(columns)} "
                           f"from {inputs.union(group, columns)} group by all having count(*) > 1")
        if not inputs.con.execute("select count(*) from repeated_keys").fetchall()[0][0]:
            continue
        window = f"(partition by {quoted_columns(columns)} order by _table, _line)"
        differing = " || ".join(f"case when \"{c}\" is distinct from first_value(\"{c}\") over {window} "
                                f"then ', {c}' else '' end" for c in conflicting)
        rows = inputs.con.execute(f"""
            select _file, _line, concat_ws(',', {quoted_columns(columns)}), first_value(_file) over {window},
                   first_value(_line) over {window}, ltrim({differing}, ', '), row_number() over {window} as k
            from {inputs.union(group, list(dict.fromkeys([*columns, *conflicting])))}
            where ({quoted_columns(columns)}) in (select ({quoted_columns(columns)}) from repeated_keys)
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


def check_references(inputs: Inputs, problems: list[Finding]) -> None:
    for group, columns, target, target_columns, what_to_do in REFERENCES:
        # one target, its columns paired with the row's; or alternatives (LINES), each matching the row's
        # columns of the same names: one equi-join each, which DuckDB hashes
        targets = ([(target, list(zip(columns, target_columns)))] if isinstance(target, str) else
                   [(alternative, [(name, name) for name in names]) for alternative, names in target])
        rows = inputs.union(group, columns)
        missing = []
        for target_group, pairs in targets:
            known = inputs.union(target_group, [t for _, t in pairs])
            if known is not None:
                missing.append(f"not exists (select 1 from {known} as k where "
                               + " and ".join(f'k."{t}" = r."{c}"' for c, t in pairs) + ")")
        if rows is None or not missing:
            continue
        filled = " and ".join(f"r.\"{c}\" <> ''" for c in columns)
        found = inputs.con.execute(f"""
            select r._file, r._line, concat_ws(' ', {', '.join(f'r."{c}"' for c in columns)})
            from {rows} as r where {filled} and {' and '.join(missing)}
            order by r._table, r._line""").fetchall()
        name = columns[-1]
        for file, line, value in found:
            problems.append(Finding(file, line, inputs.position(group, name), name, value,
                                    f"unknown {' '.join(c.replace('_', ' ') for c in columns)}: {what_to_do}"))


def check_own_lines(inputs: Inputs, problems: list[Finding]) -> None:
    """An association's own line is its own: not a line id of the standard chart's statement; a line of a
    table names its anchor, a total that sums the association's lines ('{anchored}' in calculation_tree);
    a figure of the text names none."""
    own = inputs.union("own_lines", ["org_id", "statement", "line_id", "anchor_line_id"])
    chart, statements = inputs.union("line_catalogue", ["statement", "line_id"]), inputs.union("statements", ["statement", "layout"])
    tree = inputs.union("calculation_tree", ["statement", "parent_line_id", "child_line_id"])
    if own is None or chart is None or statements is None or tree is None:
        return
    what = {"standard": "a line id of the standard chart (line_catalogue): give the association's own line an id of its own",
            "table": "a line of a table names the total of the standard chart it is part of (e.g. DR summa_insatser, "
                     "NOT3 summa_admin, NOT4 summa: a total with an {anchored} row in calculation_tree)",
            "text": "a figure of the text is part of no total: leave anchor_line_id empty"}
    for file, line, column, value, problem in inputs.con.execute(f"""
            select o._file, o._line, 'line_id', o.line_id, 'standard'
            from {own} as o where exists (select 1 from {chart} as c where c.statement = o.statement and c.line_id = o.line_id)
            union all
            select o._file, o._line, 'anchor_line_id', o.anchor_line_id, case when s.layout = 'table' then 'table' else 'text' end
            from {own} as o inner join {statements} as s on s.statement = o.statement
            where case when s.layout = 'table'
                       then not exists (select 1 from {tree} as t where t.statement = o.statement
                                        and t.parent_line_id = o.anchor_line_id and t.child_line_id = '{{anchored}}')
                       else o.anchor_line_id <> '' end
            order by 1, 2""").fetchall():
        problems.append(Finding(file, line, inputs.position("own_lines", column), column, value, what[problem]))


def check_facts(inputs: Inputs, problems: list[Finding]) -> None:
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
    labels = LabelIndex.build(inputs.table_rows("line_catalogue"), inputs.table_rows("label_variants"),
                              inputs.table_rows("own_lines"))
    tables = {r["statement"] for r in inputs.table_rows("statements") if r.get("layout", "table") == "table"}
    wrong = {}
    for org_id, statement, line_id, label in inputs.con.execute(
            f"select distinct org_id, statement, line_id, label_printed from {facts}").fetchall():
        if statement in tables and labels.canonical_label(org_id, statement, line_id) is not None:
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
            f"not a known label of line {line_id} (canonical '{labels.canonical_label(org_id, statement, line_id)}'){hint}. If the "
            f"report prints it so, add the row {org_id},{statement},{label},{line_id} to label_variants.csv (the seeds' or the collection's)"))
    inputs.con.unregister("wrong_labels")


def serialise(table: Table, dropped: set[int]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = table.schema.written_columns(table.rows)
    writer.writerow(columns)
    for row, line in zip(table.rows, table.lines):
        if line not in dropped:
            writer.writerow([row[c] for c in columns])
    return out.getvalue()
