{{ config(materialized=var('table_materialization', 'table')) }}
-- Every figure as each report prints it, typed and normalised. Grain: one row per (org, report year,
-- fiscal year, statement, line, measure): a figure reprinted by a later report (last year's
-- comparatives) is a row of each report, so the restatement checks can compare them.
-- fact_key: the checks' key of the fact (macros/fact_key.sql).
with printed as (
    select
        md5(concat_ws('|', f.org_id, f.report_year, f.fiscal_year, f.statement, f.line_id, f.measure)) as fact_id,
        f.org_id,
        f.report_year,
        f.fiscal_year,
        f.statement,
        f.line_id,
        f.measure,
        f.label_printed,
        coalesce(c.label_sv, o.label_sv)                                                    as label_sv,
        coalesce(c.name_en, o.name_en)                                                      as name_en,
        coalesce(c.line_kind, 'item')                                                       as line_kind,
        o.intervention_id,
        coalesce(c.sort_order, o.sort_order)                                                as sort_order,
        f.value,
        f.unit,
        f.decimals,
        u.base_unit,
        cast(f.value * u.factor_to_base as decimal(38, 6))                                   as value_base,
        coalesce(c.sign, o.sign)                                                            as sign,
        cast(f.value * u.factor_to_base * coalesce(c.sign, o.sign) as decimal(38, 6))        as value_normalised,
        -- a figure printed with d decimals in unit u stands for [v - h, v + h) with h = half a printed unit
        {{ half_width('u.factor_to_base', 'f.decimals') }} as half_width,
        f.source_ref,
        f.remark,
        f.confidence,
        f.seed_name
    from {{ ref('int_staged_facts') }} as f
    inner join {{ ref('units') }} as u on u.unit = f.unit
    -- a line of the standard chart, or one of the association's own (an own line is an item)
    left join {{ ref('line_catalogue') }} as c on c.statement = f.statement and c.line_id = f.line_id
    left join {{ ref('int_own_lines') }} as o on o.org_id = f.org_id and o.statement = f.statement and o.line_id = f.line_id
    where c.line_id is not null or o.line_id is not null
)

select fact_id, {{ fact_key('fact_id') }} as fact_key, * exclude (fact_id)
from printed
