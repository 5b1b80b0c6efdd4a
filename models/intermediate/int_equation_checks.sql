-- Equations between values (facts or concepts), evaluated for every year in which all their terms
-- exist. Grain: one check instance. Tolerance: the summed half-widths of the terms, weighted.
-- An equation is every association's (org_id empty) or one association's own (org_id set).
with terms as (
    select *, count(*) over (partition by equation_id, org_id) as n_terms
    from {{ ref('int_equation_terms') }}
),

-- only the values an equation names (about ten lines of millions of facts): every value carries its label
-- and lists, and both joins below read them
vals as (
    select v.*
    from {{ ref('int_values') }} as v
    semi join (select distinct statement, line_id, measure from terms) as named using (statement, line_id, measure)
),

candidate_years as (
    select distinct t.equation_id, t.org_id as scope_org_id, v.org_id, v.fiscal_year - t.year_offset as fiscal_year
    from terms as t
    inner join vals as v
        on v.statement = t.statement and v.line_id = t.line_id and v.measure = t.measure
    where t.role = 'lhs' and t.org_id is null

    union

    select distinct t.equation_id, t.org_id, v.org_id, v.fiscal_year - t.year_offset
    from terms as t
    inner join vals as v
        on v.org_id = t.org_id and v.statement = t.statement and v.line_id = t.line_id and v.measure = t.measure
    where t.role = 'lhs' and t.org_id is not null
),

-- every term of every candidate year, with the year its value is read from, so that the values join
-- on all their keys at once (joined on the association alone first, they multiply into billions of rows)
term_years as (
    select
        c.equation_id,
        c.org_id,
        c.fiscal_year,
        c.fiscal_year + t.year_offset                                      as value_year,
        t.check_family,
        t.label_en,
        t.source_ref,
        t.member_type,
        t.member_line_id,
        t.role,
        t.weight,
        t.n_terms,
        t.statement,
        t.line_id,
        t.measure
    from candidate_years as c
    inner join terms as t
        on t.equation_id = c.equation_id and t.org_id is not distinct from c.scope_org_id
),

resolved as (
    select
        y.equation_id,
        y.org_id,
        y.fiscal_year,
        y.check_family,
        y.label_en,
        y.source_ref,
        y.member_type,
        y.member_line_id,
        y.role,
        y.weight,
        y.n_terms,
        v.value,
        v.half_width,
        v.unit,
        v.label,
        v.fact_keys,
        list_transform(v.terms, lambda term: {
            'fact_key': term.fact_key,
            'coefficient': term.coefficient * cast(y.weight as double) * case when y.role = 'lhs' then 1 else -1 end
        })                                                                  as terms
    from term_years as y
    inner join vals as v
        on v.org_id = y.org_id
        and v.fiscal_year = y.value_year
        and v.statement = y.statement
        and v.line_id = y.line_id
        and v.measure = y.measure
),

evaluated as (
    select
        equation_id                                                         as check_id,
        any_value(check_family)                                             as check_family,
        org_id,
        fiscal_year,
        any_value(member_type)                                              as member_type,
        any_value(member_line_id)                                           as member_line_id,
        -- every list sorted, so that a check reads the same in every run
        array_to_string(list_sort(list(concat(case when weight <> 1 then concat(weight::double, ' × ') else '' end, label))
            filter (where role = 'lhs')), ' + ')                            as lhs_label,
        sum(weight * value) filter (where role = 'lhs')                     as lhs_value,
        array_to_string(list_sort(list(concat(case when weight <> 1 then concat(weight::double, ' × ') else '' end, label))
            filter (where role = 'rhs')), ' + ')                            as rhs_label,
        sum(weight * value) filter (where role = 'rhs')                     as rhs_value,
        sum(abs(weight) * half_width)                                       as tolerance,
        any_value(unit)                                                     as unit,
        any_value(source_ref)                                               as source_ref,
        any_value(label_en)                                                 as context,
        flatten(list(fact_keys))                                            as fact_keys,
        list_sort(flatten(list(terms)))                                     as terms
    from resolved
    group by equation_id, org_id, fiscal_year
    having count(*) = any_value(n_terms)
)

select
    check_id, check_family, org_id, fiscal_year, member_type, member_line_id, lhs_label, lhs_value, rhs_label,
    rhs_value, tolerance, unit, {{ figures_agree('lhs_value', 'rhs_value', 'tolerance') }} as passed,
    source_ref, context, list_sort(list_distinct(fact_keys)) as fact_keys, 'interval' as form, terms
from evaluated
