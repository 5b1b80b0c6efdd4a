{{ config(materialized=var('table_materialization', 'table')) }}
-- Every source of every concept, valued. Grain: (concept, binding, org, fiscal year, source).
-- A source is a linear combination of facts, possibly of other years (year_offset); it counts only
-- when every one of its terms is printed. Line '{intervention}' binds each line that the line
-- catalogue maps to an intervention, so one row of rules covers every intervention.
with sources as (
    select
        *,
        count(*) over (partition by concept_id, source_id) as n_terms,
        -- where the term stands in the source's label: by descending weight, then statement, line, year
        -- and measure of the rule (an intervention's line stands where '{intervention}' sorts). Every term
        -- of a counted source is printed, so rank 1 always leads the label.
        cast(row_number() over (partition by concept_id, source_id
                                order by weight desc, statement, line_id, year_offset, measure) as integer) as term_rank
    from {{ ref('concept_sources') }}
),

facts as {{ read_in_place_if_table() }} (
    select * from {{ ref('int_facts') }}
),

bound_terms as (
    select
        s.concept_id,
        s.source_id,
        s.priority,
        s.check_family,
        s.n_terms,
        s.weight,
        s.year_offset,
        s.term_rank,
        f.org_id,
        f.fiscal_year - s.year_offset                                   as fiscal_year,
        ''                                                              as binding,
        f.fact_key,
        f.statement,
        f.line_id,
        f.fiscal_year                                                   as printed_year,
        f.label_printed as label,
        f.value_normalised,
        f.half_width,
        f.base_unit,
        f.source_ref
    from sources as s
    inner join facts as f
        on f.statement = s.statement
        and f.measure = s.measure
        and f.line_id = s.line_id
    where s.line_id <> '{intervention}'

    union all

    select
        s.concept_id, s.source_id, s.priority, s.check_family, s.n_terms, s.weight, s.year_offset, s.term_rank, f.org_id,
        f.fiscal_year - s.year_offset, f.intervention_id, f.fact_key, f.statement, f.line_id, f.fiscal_year,
        f.label_printed, f.value_normalised, f.half_width, f.base_unit, f.source_ref
    from sources as s
    inner join facts as f
        on f.statement = s.statement
        and f.measure = s.measure
    where s.line_id = '{intervention}' and f.intervention_id is not null
)

select
    concept_id,
    binding,
    org_id,
    fiscal_year,
    source_id,
    any_value(priority)                                                  as priority,
    any_value(check_family)                                              as check_family,
    sum(weight * value_normalised)                                       as value,
    sum(abs(weight) * half_width)                                        as half_width,
    any_value(base_unit)                                                 as unit,
    -- lists are built unordered and sorted after grouping (an ordered aggregate buffers every row), each
    -- term by its place in the source (term_rank), a small integer, not by its strings
    array_to_string(list_transform(list_sort(list({
        'term_rank': term_rank,
        'term': concat(case when weight < 0 then '− ' when term_rank > 1 then '+ ' else '' end,
                       statement, ' ', label, ' ', printed_year)
    })), lambda t: t.term), ' ')                                         as source_label,
    array_to_string(list_sort(list_distinct(list(source_ref))), '; ')    as source_ref,
    -- the source as a linear form of printed figures, for the diagnosis; sorted by fact, so that the
    -- facts (fact_keys) come out sorted too
    list_sort(list({'fact_key': fact_key, 'coefficient': cast(weight as double)})) as terms,
    list_transform(terms, lambda t: t.fact_key)                          as fact_keys
from bound_terms
group by concept_id, binding, org_id, fiscal_year, source_id
having count(*) = any_value(n_terms)
