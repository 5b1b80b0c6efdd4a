"""The data tests of a model or seed are one assertion (macros/tests/column_rules.sql): on the real seeds
it finds nothing; each kind of rule finds its planted offending value and names the rule, the column(s)
and the value; a wildcard is no reference."""

from __future__ import annotations

import json
from pathlib import Path

ADMIN_SHARE = ["share_of_contributions_operating_report_pct between 0 and 100",
               "share_of_costs_operating_report_pct between 0 and 100"]


def offending(warehouse, relation: str, plants: list[tuple[str, list]]) -> set[tuple]:
    """(rule, columns, value) of every row the relation's column_rules test selects, with `plants` (SQL and
    parameters) applied inside a transaction that is rolled back."""
    nodes = json.loads((warehouse.target / "manifest.json").read_text(encoding="utf-8"))["nodes"].values()
    (test,) = [n for n in nodes if (n.get("test_metadata") or {}).get("name") == "column_rules"
               and n["attached_node"].split(".")[-1] == relation]
    compiled = warehouse.target / "compiled" / test["package_name"] / test["original_file_path"] / test["path"]
    con = warehouse.con
    con.execute("begin")
    try:
        for sql, params in plants:
            con.execute(sql, params)
        return {(rule, columns, value) for rule, columns, value, _ in con.execute(compiled.read_text()).fetchall()}
    finally:
        con.execute("rollback")


def test_the_real_seeds_break_no_rule(pristine):
    """In the nightly run of the real report (tables, not views), every seed's and model's rules find nothing."""
    run = json.loads((pristine.reports_dir / "published" / "result.json").read_text(encoding="utf-8"))
    rules = {Path(t["tested_file"]).stem: (t["status"], t["failures"]) for t in run["dbt_tests"] if t["test_kind"] == "column_rules"}
    for relation in ("line_catalogue", "calculation_tree", "admin_share", "reconciliations", "stg_facts_annual_report"):
        assert rules.pop(relation) == ("pass", 0), relation
    assert len(rules) > 30 and set(rules.values()) == {("pass", 0)}


def test_each_rule_names_its_offending_value(view_warehouse):
    insert = "insert into seeds.line_catalogue by name select ? as statement, ? as line_id, ? as label_sv, ? as sign, " \
             "? as line_kind"
    found = offending(view_warehouse, "line_catalogue", [
        (insert, ["RR", "verksamhetens_intakter", "Verksamhetens intäkter", 1, "item"]),
        (insert, ["XX", "ghost", None, 2, "totl"]),
    ])
    assert found == {
        ("unique", "statement, line_id", "RR, verksamhetens_intakter"),
        ("not_null", "label_sv", None),
        ("accepted_values", "sign", "2"),
        ("accepted_values", "line_kind", "totl"),
        ("relationships", "statement", "XX"),
    }


def test_an_own_line_refers_to_its_anchor_and_its_associations_intervention(view_warehouse):
    """A composite reference with an empty column (a figure of the text has no anchor) refers to nothing."""
    insert = "insert into seeds.own_lines by name select 'sf_vasteras' as org_id, ? as statement, ? as line_id, " \
             "'X' as label_sv, 1 as sign, ? as anchor_line_id, ? as intervention_id"
    found = offending(view_warehouse, "own_lines", [
        (insert, ["NOT4", "ny_fordran", "no_such_total", None]),
        (insert, ["DR", "nytt_team", "summa_insatser", "no_such_intervention"]),
        (insert, ["NARR", "ny_uppgift", None, None]),
    ])
    assert found == {
        ("relationships", "statement, anchor_line_id", "NOT4, no_such_total"),
        ("relationships", "org_id, intervention_id", "sf_vasteras, no_such_intervention"),
    }


def test_a_composite_reference_skips_wildcards(view_warehouse):
    insert = "insert into seeds.calculation_tree values ('RR', 'verksamhetens_resultat', '*', ?, '*', 1)"
    found = offending(view_warehouse, "calculation_tree", [(insert, ["no_such_line"]), (insert, ["*"])])
    assert found == {("relationships", "statement, child_line_id", "RR, no_such_line")}


def test_an_expression_names_the_row_that_breaks_it(view_warehouse):
    found = offending(view_warehouse, "admin_share", [(
        "update seeds.facts_annual_report set value = value * 100 "
        "where statement = 'DR' and line_id = 'summa_admin' and measure = 'actual_net' and fiscal_year = ?", [2023])])
    assert {(rule, columns) for rule, columns, _ in found} == {("expression", e) for e in ADMIN_SHARE}
    assert all("'fiscal_year': 2023" in value for _, _, value in found)
