{{ config(materialized=var('table_materialization', 'table')) }}
-- Footing of every total and subtotal. Grain: one row per check instance (check_id, org, fiscal year).
-- Printed tables foot at their own precision: every term is rounded to the coarsest printed unit
-- among the terms (XBRL Calculations 1.1, round-to-nearest) and the totals must then agree exactly.
-- A table of its own: its grouping holds every term of every total, and inside int_check_results' union
-- it competed for memory with the other families (10 000 org-years, run directly: 17 + 18 s apart, 40 s together).
with terms as (
    select * from {{ ref('int_calculation_terms') }}
),

instance_shape as (
    select
        check_id,
        org_id,
        fiscal_year,
        any_value(statement)                                    as statement,
        count(*) filter (where role = 'rhs')                    as n_children,
        count(fact_id) filter (where role = 'rhs')              as n_children_printed,
        max(2 * half_width)                                     as precision_step
    from terms
    group by check_id, org_id, fiscal_year
),

evaluable as (
    select i.*
    from instance_shape as i
    inner join {{ ref('statements') }} as s on s.statement = i.statement
    where i.n_children_printed > 0
      -- a blank line in a statement table is nothing; a missing figure elsewhere is unknown
      and (s.blank_line_means = 'zero' or i.n_children_printed = i.n_children)
),

rounded as (
    select
        t.*,
        e.precision_step,
        round(t.value_normalised / e.precision_step) * e.precision_step as value_rounded
    from terms as t
    inner join evaluable as e using (check_id, org_id, fiscal_year)
    where t.fact_id is not null
)

select
    *,
    abs(lhs_value - rhs_value) < tolerance as passed,
    list_transform(terms, lambda t: t.fact_id) as fact_ids
from (
select
    check_id,
    'calculation'                                                          as check_family,
    org_id,
    fiscal_year,
    concat(any_value(statement), ' ', any_value(label) filter (where role = 'lhs'),
           ' [', any_value(measure) filter (where role = 'lhs'), ']')      as lhs_label,
    sum(value_rounded) filter (where role = 'lhs')                         as lhs_value,
    -- lists are built unordered and sorted after grouping: an ordered aggregate buffers every row of
    -- every group, which at a million checks costs more than all the sums together
    regexp_replace(array_to_string(list_transform(list_sort(list({
        'descending_weight': -weight, 'line_id': line_id, 'measure': measure,
        'term': concat(case when weight < 0 then '− ' else '+ ' end, label,
                       case when measure <> lhs_measure then concat(' [', measure, ']') else '' end)
    }) filter (where role = 'rhs')), lambda t: t.term), ' '), '^\+ ', '')                   as rhs_label,
    sum(weight * value_rounded) filter (where role = 'rhs')                as rhs_value,
    any_value(precision_step) / 2                                          as tolerance,
    any_value(base_unit)                                                   as unit,
    any_value(source_ref) filter (where role = 'lhs')                      as source_ref,
    concat('Footing at the printed precision of ', {{ format_number('any_value(precision_step)') }},
           ' ', any_value(base_unit))                                      as context,
    'footing'                                                              as form,
    -- the total minus its lines, each term rounded to the footing's precision before summing;
    -- sorted by fact, so that the facts (fact_ids) come out sorted too
    list_sort(list({'fact_id': fact_id,
                    'coefficient': case when role = 'lhs' then 1.0 else -cast(weight as double) end})) as terms
from rounded
group by check_id, org_id, fiscal_year
)
