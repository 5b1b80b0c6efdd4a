{{ config(materialized=var('table_materialization', 'table')) }}
-- Footing of every total and subtotal. Grain: one row per check instance (check_id, org, fiscal year).
-- Printed tables foot at their own precision: every term is rounded to the coarsest printed unit
-- among the terms (XBRL Calculations 1.1, round-to-nearest) and the totals must then agree exactly.
-- A table of its own: its grouping holds every term of every total, and inside int_check_results' union
-- it would compete for memory with the other families (BENCHMARKS.md's profile).
-- One grouping over the terms: the precision is known only once a total's terms are all seen, so each
-- group keeps its printed lines' values and rounds them after grouping. Grouping the terms twice, once
-- for the precision and once to sum the rounded terms, would keep the terms in memory in between.
with terms as (
    select * from {{ ref('int_calculation_terms') }}
),

grouped as (
    select
        check_id,
        org_id,
        fiscal_year,
        any_value(statement)                                                    as statement,
        count(*) filter (where role = 'rhs')                                    as n_children,
        count(fact_key) filter (where role = 'rhs')                             as n_children_printed,
        max(2 * half_width)                                                     as precision_step,
        any_value(value_normalised) filter (where role = 'lhs')                 as lhs_printed,
        list({'weight': weight, 'value': value_normalised}) filter (where role = 'rhs' and fact_key is not null)
                                                                                as rhs_printed,
        any_value(concat(statement, ' ', label, ' [', measure, ']')) filter (where role = 'lhs') as lhs_label,
        -- lists are built unordered and sorted after grouping: an ordered aggregate buffers every row of
        -- every group, which at a million checks costs more than all the sums together. Each term is
        -- sorted by its place in the tree (term_rank), a small integer, not by its strings.
        array_to_string(list_transform(list_sort(list({
            'term_rank': term_rank,
            'term_text': concat(case when weight < 0 then '− ' else '+ ' end, label,
                                case when measure <> lhs_measure then concat(' [', measure, ']') else '' end)
        }) filter (where role = 'rhs' and fact_key is not null)), lambda t: t.term_text), ' ') as rhs_terms_text,
        any_value(base_unit) filter (where fact_key is not null)                as unit,
        any_value(source_ref) filter (where role = 'lhs')                       as source_ref,
        -- the total minus its lines, each term rounded to the footing's precision before summing;
        -- sorted by fact, so that the facts (fact_keys) come out sorted too
        list_sort(list({'fact_key': fact_key,
                        'coefficient': case when role = 'lhs' then 1.0 else -cast(weight as double) end})
                  filter (where fact_key is not null))                          as terms
    from terms
    group by check_id, org_id, fiscal_year
),

-- a blank line in a statement table is nothing; a missing figure elsewhere is unknown
evaluable as (
    select g.*
    from grouped as g
    inner join {{ ref('statements') }} as s on s.statement = g.statement
    where g.n_children_printed > 0
      and (s.blank_line_means = 'zero' or g.n_children_printed = g.n_children)
),

footed as (
    select
        check_id,
        'calculation'                                                          as check_family,
        org_id,
        fiscal_year,
        statement,
        lhs_label,
        {{ rounded_to('lhs_printed', 'precision_step') }}                      as lhs_value,
        -- the first term reads without its plus sign
        case when starts_with(rhs_terms_text, '+ ') then rhs_terms_text[3:] else rhs_terms_text end as rhs_label,
        list_sum(list_transform(rhs_printed,
                 lambda t: t.weight * ({{ rounded_to('t.value', 'precision_step') }}))) as rhs_value,
        precision_step / 2                                                     as tolerance,
        unit,
        source_ref,
        concat('Footing at the printed precision of ', {{ format_number('precision_step') }}, ' ', unit) as context,
        'footing'                                                              as form,
        terms
    from evaluable
)

select
    *,
    {{ figures_agree('lhs_value', 'rhs_value', 'tolerance') }} as passed,
    list_transform(terms, lambda t: t.fact_key) as fact_keys
from footed
