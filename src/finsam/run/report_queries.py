"""What the report shows, read from the built warehouse before it is published."""

from __future__ import annotations

from decimal import Decimal

import duckdb

from finsam.run.results import NodeOutcome

REPORT_QUERIES = {
    "checks": """select check_id, check_family, org_id, fiscal_year, lhs_label, lhs_value, rhs_label, rhs_value,
                        difference, tolerance, unit, status, severity, source_ref, rule, erratum_reason, message,
                        cause_id
                 from marts.reconciliations where status <> 'pass'
                 order by status = 'fail' desc, severity = 'major' desc, check_family, check_id, fiscal_year""",
    "diagnoses": """select cause_id, cause_rank, tied, org_id, report_year, fiscal_year, statement, line_id, measure,
                           label_printed, printed_value, implied_value, unit, kind, check_ids, n_checks, n_figures,
                           weight, erratum_blames, agrees_with_erratum, sentence, source_ref
                    from marts.diagnoses
                    order by org_id, cast(split_part(cause_id, '#', 2) as integer), cause_rank, statement, line_id,
                             fiscal_year""",
    "coverage": """select statement, count(distinct org_id) as n_orgs, sum(n_facts) as n_facts, sum(n_covered) as n_covered,
                          round(sum(n_covered) / sum(n_facts), 4) as coverage_share, sum(n_unconfirmable) as n_unconfirmable
                   from marts.check_coverage group by statement order by statement""",
}

STATUS_COUNTS = "select status, count(*) as n from marts.reconciliations group by status"

# Charts show the associations of the seeds (or the one asked for with --org), not every association of a
# loaded collection; one series or section per association.
CHART_ORGS = "select org_id from seeds.organisations order by org_id"


CHART_QUERIES = {
    "intervention_deviation": """select org_id, fiscal_year, intervention_id, name_en, category, budget_cost_tkr,
                                        actual_cost_tkr, deviation_tkr, favourable
                                 from marts.intervention_deviation where budget_cost_tkr is not null and org_id in (select unnest($orgs))
                                 order by org_id, fiscal_year, deviation_tkr""",
    "equity_rollforward": """select org_id, fiscal_year, opening_equity_kr, result_kr, closing_equity_kr,
                                    closing_equity_precision_kr, closing_equity_source, rollforward_status
                             from marts.equity_rollforward where org_id in (select unnest($orgs)) order by org_id, fiscal_year""",
    "admin_share": """select org_id, fiscal_year, share_of_contributions_operating_report_pct,
                             share_of_costs_operating_report_pct, share_of_contributions_note3_pct,
                             share_of_costs_note3_pct, claimed_share_pct
                      from marts.admin_share where org_id in (select unnest($orgs)) order by org_id, fiscal_year""",
}


def _decimal_as_float(value):
    return float(value) if isinstance(value, Decimal) else value


def query_rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[dict]:
    rel = con.sql(sql, params=params)
    columns = rel.columns
    return [{c: _decimal_as_float(v) for c, v in zip(columns, row)} for row in rel.fetchall()]


def offending_rows(con: duckdb.DuckDBPyConnection, test: NodeOutcome, limit: int = 5) -> list[dict]:
    """The rows a failing dbt test found: its compiled query selects them."""
    if not test.compiled_code:
        return []
    try:
        return query_rows(con, f"select * from ({test.compiled_code.strip().rstrip(';')}) as offending limit {limit}")
    except duckdb.Error as err:
        return [{"could not read the offending rows": str(err).splitlines()[0]}]
