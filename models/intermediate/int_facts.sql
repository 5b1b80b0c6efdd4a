{{ config(materialized=var('table_materialization', 'table')) }}
-- The current figure of every fact: where several reports print it, the newest report's (report_year
-- says which). Grain: one row per (org, fiscal year, statement, line, measure). Every check but the
-- restatement family reads these; the restatement family compares the reports' own printings.
select
    fact_id, org_id, report_year, fiscal_year, statement, line_id, measure, label_printed, label_sv, name_en,
    line_kind, intervention_id, sort_order, value, unit, decimals, base_unit, value_base, sign, value_normalised,
    half_width, source_ref, remark, seed_name,
    count(*) over (partition by org_id, fiscal_year, statement, line_id, measure) as n_reports_printing
from {{ ref('int_printed_facts') }}
qualify row_number() over (
    partition by org_id, fiscal_year, statement, line_id, measure
    order by report_year desc
) = 1
