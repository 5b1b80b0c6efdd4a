{{ config(materialized=var('table_materialization', 'table')) }}
-- All facts in one shape. Grain: one row per (org, fiscal year, statement, line, measure);
-- where several reports print the same figure, the latest report's figure is current.
with latest_report as (
    select
        *,
        row_number() over (
            partition by org_id, fiscal_year, statement, line_id, measure
            order by report_year desc
        ) as report_rank
    from {{ ref('int_staged_facts') }}
)

select
    md5(concat_ws('|', f.org_id, f.fiscal_year, f.statement, f.line_id, f.measure)) as fact_id,
    f.org_id,
    f.report_year,
    f.fiscal_year,
    f.statement,
    f.line_id,
    f.measure,
    c.label_sv,
    c.name_en,
    c.line_kind,
    c.intervention_id,
    c.sort_order,
    f.value,
    f.unit,
    f.decimals,
    u.base_unit,
    cast(f.value * u.factor_to_base as decimal(38, 6))                                   as value_base,
    c.sign,
    cast(f.value * u.factor_to_base * c.sign as decimal(38, 6))                          as value_normalised,
    -- a figure printed with d decimals in unit u stands for [v - h, v + h) with h = half a printed unit
    cast(u.factor_to_base * 0.5 / cast(power(10, f.decimals) as decimal(38, 6)) as decimal(38, 6)) as half_width,
    f.source_ref,
    f.remark,
    f.seed_name
from latest_report as f
inner join {{ ref('units') }} as u on u.unit = f.unit
inner join {{ ref('line_catalogue') }} as c on c.statement = f.statement and c.line_id = f.line_id
where f.report_rank = 1
