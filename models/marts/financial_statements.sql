-- Every published figure as printed (the current one where several reports print it: report_year says which), beside its value in kr and in the normalised sign convention
-- (income and assets positive, costs negative). Grain: one row per fact; BI pivots it.
select
    f.fact_id,
    f.org_id,
    o.name_sv                        as org_name,
    f.report_year,
    f.fiscal_year,
    f.statement,
    s.name_sv                        as statement_name_sv,
    s.name_en                        as statement_name_en,
    f.line_id,
    f.label_printed,
    f.label_sv,
    f.name_en,
    f.line_kind,
    f.intervention_id,
    f.sort_order,
    f.measure,
    f.value                          as value_as_printed,
    f.unit,
    f.decimals,
    f.value_base,
    f.base_unit,
    f.value_normalised,
    f.half_width                     as precision_half_width,
    f.source_ref,
    f.remark,
    f.confidence                     as reading_confidence
from {{ ref('int_facts') }} as f
inner join {{ ref('statements') }} as s on s.statement = f.statement
inner join {{ ref('int_organisations') }} as o on o.org_id = f.org_id
