-- Every other source of a concept against its reference source. Grain: one check instance.
-- Two printed figures agree when the intervals they stand for overlap (macros/precision.sql).
select
    concat(s.concept_id, case when s.binding <> '' then concat('.', s.binding) else '' end,
           ':', s.source_id)                                          as check_id,
    s.check_family,
    s.org_id,
    s.fiscal_year,
    s.concept_id,
    nullif(s.binding, '')                                             as intervention_id,
    r.source_label                                                    as lhs_label,
    r.value                                                           as lhs_value,
    s.source_label                                                    as rhs_label,
    s.value                                                           as rhs_value,
    r.half_width + s.half_width                                       as tolerance,
    r.unit,
    {{ figures_agree('r.value', 's.value', 'r.half_width + s.half_width') }} as passed,
    concat(r.source_ref, ' ↔ ', s.source_ref)                         as source_ref,
    concat(c.name_en, case when s.binding <> '' then concat(' (', s.binding, ')') else '' end) as context,
    list_sort(list_distinct(list_concat(r.fact_keys, s.fact_keys)))   as fact_keys,
    'interval'                                                        as form,
    -- reference minus source: the difference the check bounds
    list_concat(r.terms, list_transform(s.terms, lambda t: {'fact_key': t.fact_key, 'coefficient': -t.coefficient})) as terms
from {{ ref('int_concept_source_values') }} as s
inner join {{ ref('int_concept_values') }} as r
    on r.concept_id = s.concept_id
    and r.binding = s.binding
    and r.org_id = s.org_id
    and r.fiscal_year = s.fiscal_year
    and r.source_id <> s.source_id
inner join {{ ref('concepts') }} as c on c.concept_id = s.concept_id
