{{ config(materialized=var('table_materialization', 'table')) }}
-- The current figure of every fact: where several reports print it, the newest report's (report_year
-- says which). Grain: one row per (org, fiscal year, statement, line, measure). Every check but the
-- restatement family reads these; the restatement family compares the reports' own printings.
-- (A grouping joined back, rather than a window over every printing: half the time at scale.)
with printed as {{ read_in_place_if_table() }} (
    select * from {{ ref('int_printed_facts') }}
),

newest as (
    select
        org_id, fiscal_year, statement, line_id, measure,
        max(report_year) as report_year,
        count(*)         as n_reports_printing
    from printed
    group by org_id, fiscal_year, statement, line_id, measure
)

select
    p.fact_id, p.fact_key, p.org_id, p.report_year, p.fiscal_year, p.statement, p.line_id, p.measure, p.label_printed,
    p.label_sv, p.name_en, p.line_kind, p.intervention_id, p.sort_order, p.value, p.unit, p.decimals, p.base_unit,
    p.value_base, p.sign, p.value_normalised, p.half_width, p.source_ref, p.remark, p.confidence, p.seed_name,
    n.n_reports_printing
from printed as p
inner join newest as n using (org_id, fiscal_year, statement, line_id, measure, report_year)
