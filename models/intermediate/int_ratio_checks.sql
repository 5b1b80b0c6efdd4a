-- A printed ratio against the ratio of the figures it is computed from. Grain: one check instance.
-- Interval arithmetic: numerator and denominator each stand for an interval; the printed ratio agrees
-- when its own interval overlaps the range of quotients those intervals allow.
with claims as (
    select * from {{ ref('ratio_claims') }}
),

vals as (
    select * from {{ ref('int_values') }}
),

operands as (
    select
        c.ratio_id,
        c.check_family,
        c.label_en,
        c.source_ref,
        cl.org_id,
        cl.fiscal_year,
        cl.value                                  as claim_value,
        cl.half_width                             as claim_half_width,
        cl.label                                  as claim_label,
        cast(c.numerator_weight * n.value as double)   as numerator,
        cast(n.half_width as double)              as numerator_half_width,
        cast(d.value as double)                   as denominator,
        cast(d.half_width as double)              as denominator_half_width,
        n.label                                   as numerator_label,
        d.label                                   as denominator_label,
        list_concat(cl.fact_keys, n.fact_keys, d.fact_keys) as fact_keys,
        cl.terms                                  as claim_terms
    from claims as c
    inner join vals as cl
        on cl.statement = c.claim_statement and cl.line_id = c.claim_line_id and cl.measure = 'amount'
    inner join vals as n
        on n.org_id = cl.org_id and n.fiscal_year = cl.fiscal_year
        and n.statement = c.numerator_statement and n.line_id = c.numerator_line_id and n.measure = 'amount'
    inner join vals as d
        on d.org_id = cl.org_id and d.fiscal_year = cl.fiscal_year
        and d.statement = c.denominator_statement and d.line_id = c.denominator_line_id and d.measure = 'amount'
    where d.value - d.half_width > 0
),

bounded as (
    select
        *,
        100 * numerator / denominator                                                  as ratio,
        100 * (numerator - numerator_half_width) / (denominator + denominator_half_width) as ratio_low,
        100 * (numerator + numerator_half_width) / (denominator - denominator_half_width) as ratio_high
    from operands
)

select
    ratio_id                                                     as check_id,
    check_family,
    org_id,
    fiscal_year,
    claim_label                                                  as lhs_label,
    cast(claim_value as double)                                  as lhs_value,
    concat('100 × ', numerator_label, ' / ', denominator_label) as rhs_label,
    ratio                                                        as rhs_value,
    cast(claim_half_width as double) + greatest(ratio_high - ratio, ratio - ratio_low) as tolerance,
    '%'                                                          as unit,
    {{ intervals_overlap('ratio_low', 'ratio_high', 'claim_value - claim_half_width', 'claim_value + claim_half_width') }} as passed,
    source_ref,
    label_en                                                     as context,
    -- each fact once, in the order DuckDB's list_distinct gives their fact ids (the published order)
    list_transform(list_distinct({{ fact_ids_of('fact_keys') }}), lambda i: {{ fact_key('i') }}) as fact_keys,
    -- not linear in the figures: a failing ratio is blamed on the printed claim itself
    'claim'                                                      as form,
    claim_terms                                                  as terms
from bounded
