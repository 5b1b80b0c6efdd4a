"""The run report as text: summary.md (Markdown that renders as itself) and junit.xml (XML 1.0)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from finsam.run.report_content import (
    VERDICT_TEXT,
    causes,
    describe_test_failure,
    diagnosis_headline,
    figure_name,
    format_figure,
    format_number,
    org_heading,
    shown_checks,
)
from finsam.run.results import RunResult
from finsam.safe_text import markdown_text, xml_text


def markdown(result: RunResult) -> str:
    lines = [f"# finsam nightly run {result.run_id}", "", f"**{VERDICT_TEXT[result.verdict]}**", "",
             markdown_text(result.message), ""]
    if result.status_counts:
        lines += ["| status | checks |", "|---|---|"] + [f"| {k} | {result.status_counts.get(k, 0)} |"
                                                       for k in ("pass", "known", "fail")] + [""]
    if result.org_filter:
        lines += [f"Showing {markdown_text(org_heading(result, result.org_filter))} only; every association was "
                  "checked.", ""]
    headline = diagnosis_headline(result)
    if headline:
        lines += [f"## Diagnosis: {headline}", "", "| cause | printed figure | printed | implied | kind | checks explained |",
                  "|---|---|---|---|---|---|"]
        for cause_id, preferred, cause_checks, _ in causes(result):
            explained = markdown_text(", ".join(f"{c['check_id']} {c['fiscal_year']}" for c in cause_checks))
            lines += [f"| {cause_id} | {markdown_text(figure_name(d))} | {format_figure(d['printed_value'], d['unit'])} | "
                      f"{format_figure(d['implied_value'], d['unit'])} | {markdown_text(d['kind'].replace('_', ' '))} | {explained} |"
                      for d in preferred]
        lines.append("")
    for title, status in (("Failing checks", "fail"), ("Known errata", "known")):
        rows = [c for c in shown_checks(result) if c["status"] == status]
        if rows:
            lines += [f"## {title}", "", "| association | check | year | left | right | difference | tolerance |",
                      "|---|---|---|---|---|---|---|"]
            lines += [f"| {markdown_text(c['org_id'])} | {markdown_text(c['check_id'])} | {c['fiscal_year']} | "
                      f"{format_number(c['lhs_value'], c['unit'])} | "
                      f"{format_number(c['rhs_value'], c['unit'])} | {format_number(c['difference'], c['unit'])} | "
                      f"{format_number(c['tolerance'], c['unit'])} |" for c in rows]
            lines.append("")
    if result.problems:
        lines += ["## Input problems", ""] + [f"- {markdown_text(p)}" for p in result.problems] + [""]
    if result.dbt_failures:
        lines += ["## Failing dbt tests", ""] + [f"- {markdown_text(describe_test_failure(t))}"
                                                 for t in result.dbt_failures] + [""]
    lines += ["## Stages", "", "| stage | status | seconds |", "|---|---|---|"]
    lines += [f"| {s.name} | {s.status} | {s.seconds} |" for s in result.stages]
    return "\n".join(lines) + "\n"


def junit(result: RunResult) -> str:
    root = ET.Element("testsuites", name=f"finsam {result.run_id}")

    def suite(name: str, cases: list[tuple[str, str | None, str | None]]) -> None:
        el = ET.SubElement(root, "testsuite", name=name, tests=str(len(cases)),
                           failures=str(sum(1 for _, f, _ in cases if f)))
        for case_name, failure, note in cases:  # values of the data, as XML 1.0 allows them
            case = ET.SubElement(el, "testcase", classname=f"finsam.{name}", name=xml_text(case_name))
            if failure:
                ET.SubElement(case, "failure", message=xml_text(failure[:200])).text = xml_text(failure)
            if note:
                ET.SubElement(case, "system-out").text = xml_text(note)

    suite("validation", [(str(p.location()), str(p), None) for p in result.problems] or [("seeds", None, None)])
    suite("dbt", [(t.name, describe_test_failure(t) if t.status in ("fail", "error") else None, None) for t in result.dbt_tests])
    suite("great_expectations", [(f"{s.name}.{e.expectation_type}.{e.column or 'table'}",
                                  None if e.success else f"{e.description}: {e.unexpected_count} unexpected"
                                  + (f" in {', '.join(e.unexpected_orgs)}" if e.unexpected_orgs else "")
                                  + f", e.g. {e.unexpected_examples}",
                                  None) for s in result.suites for e in s.expectations])
    suite("reconciliations", [(f"{c['org_id']}: {c['check_id']} {c['fiscal_year']}",
                               c["message"] if c["status"] == "fail" else None,
                               c["message"] if c["status"] == "known" else None) for c in shown_checks(result)])
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
