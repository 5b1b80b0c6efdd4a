-- The calculation tree bound to facts. Grain: one row per (check instance, term).
-- A tree row with line '*' (or measure '*') applies to every line (measure) and binds the child to
-- the parent's line (measure): that is how the operating report's column identities are stated.
-- A tree row with child line '{anchored}' stands for each of the association's own lines anchored to
-- the parent (int_own_lines): such a total's terms are the association's, so its tree is bound per
-- association; every other total's is one for all.
with standard as (
    select * from {{ ref('calculation_tree') }}
),

sums_own_lines as (
    select distinct statement, parent_line_id from standard where child_line_id = '{anchored}'
),

bound as (
    select cast(null as varchar) as org_id, t.statement, t.parent_line_id, t.parent_measure, t.child_line_id,
           t.child_measure, t.weight
    from standard as t
    anti join sums_own_lines as a on a.statement = t.statement and a.parent_line_id = t.parent_line_id

    union all

    select o.org_id, t.statement, t.parent_line_id, t.parent_measure, t.child_line_id, t.child_measure, t.weight
    from standard as t
    semi join sums_own_lines as a on a.statement = t.statement and a.parent_line_id = t.parent_line_id
    cross join {{ ref('int_organisations') }} as o
    where t.child_line_id <> '{anchored}'

    union all

    select o.org_id, t.statement, t.parent_line_id, t.parent_measure, o.line_id, t.child_measure, t.weight
    from standard as t
    inner join {{ ref('int_own_lines') }} as o on o.statement = t.statement and o.anchor_line_id = t.parent_line_id
    where t.child_line_id = '{anchored}'
),

tree as (
    select
        *,
        -- where the term stands in the check's label: by descending weight, then line and measure (of one
        -- total's terms only one of the two varies, so the tree's own order is the bound terms' order)
        cast(row_number() over (partition by org_id, statement, parent_line_id, parent_measure
                                order by weight desc, child_line_id, child_measure) as integer) as term_rank
    from bound
),

facts as (
    select * from {{ ref('int_facts') }}
),

rules as (
    select distinct statement, parent_line_id, parent_measure from standard
),

instances as (
    select
        concat('calc.', f.statement, '.', f.line_id, '.', f.measure, ':lines') as check_id,
        r.statement,
        r.parent_line_id,
        r.parent_measure,
        f.org_id,
        f.fiscal_year,
        f.line_id   as bound_line_id,
        f.measure   as bound_measure,
        f.fact_key,
        f.label_printed as label,
        f.value_normalised,
        f.half_width,
        f.base_unit,
        f.source_ref
    from rules as r
    inner join facts as f
        -- two equi-joins rather than one join with OR, so that DuckDB can hash them:
        -- a rule for one line binds on the line, a rule for every line ('*') binds on the measure
        on f.statement = r.statement
        and f.line_id = r.parent_line_id
        and (r.parent_measure = '*' or f.measure = r.parent_measure)
    where r.parent_line_id <> '*'

    union all

    select
        concat('calc.', f.statement, '.', f.line_id, '.', f.measure, ':columns'),
        r.statement, r.parent_line_id, r.parent_measure, f.org_id, f.fiscal_year, f.line_id, f.measure,
        f.fact_key, f.label_printed, f.value_normalised, f.half_width, f.base_unit, f.source_ref
    from rules as r
    inner join facts as f
        on f.statement = r.statement
        and f.measure = r.parent_measure
    where r.parent_line_id = '*'
),

child_terms as (
    select
        i.check_id,
        i.org_id,
        i.fiscal_year,
        i.statement,
        'rhs' as role,
        t.weight,
        i.bound_measure as lhs_measure,
        case when t.child_line_id = '*' then i.bound_line_id else t.child_line_id end as line_id,
        case when t.child_measure = '*' then i.bound_measure else t.child_measure end as measure,
        t.term_rank
    from instances as i
    inner join tree as t
        on t.statement = i.statement
        and t.parent_line_id = i.parent_line_id
        and t.parent_measure = i.parent_measure
    where t.org_id is null

    -- a total that sums own lines: its association's tree (a second equi-join rather than one matching
    -- org_id or null, which DuckDB could not hash)
    union all

    select
        i.check_id, i.org_id, i.fiscal_year, i.statement, 'rhs', t.weight, i.bound_measure,
        case when t.child_line_id = '*' then i.bound_line_id else t.child_line_id end,
        case when t.child_measure = '*' then i.bound_measure else t.child_measure end,
        t.term_rank
    from instances as i
    inner join tree as t
        on t.org_id = i.org_id
        and t.statement = i.statement
        and t.parent_line_id = i.parent_line_id
        and t.parent_measure = i.parent_measure
)

select
    i.check_id, i.org_id, i.fiscal_year, i.statement, 'lhs' as role, cast(1 as decimal(10, 4)) as weight,
    i.bound_measure as lhs_measure, i.bound_line_id as line_id, i.bound_measure as measure,
    i.fact_key, i.label, i.value_normalised, i.half_width, i.base_unit, i.source_ref, 0 as term_rank
from instances as i

union all

select
    c.check_id, c.org_id, c.fiscal_year, c.statement, c.role, c.weight,
    c.lhs_measure, c.line_id, c.measure,
    f.fact_key, coalesce(f.label_printed, cat.label_sv, own.label_sv), f.value_normalised, f.half_width, f.base_unit, f.source_ref,
    c.term_rank
from child_terms as c
left join facts as f
    on f.org_id = c.org_id
    and f.fiscal_year = c.fiscal_year
    and f.statement = c.statement
    and f.line_id = c.line_id
    and f.measure = c.measure
left join {{ ref('line_catalogue') }} as cat
    on cat.statement = c.statement and cat.line_id = c.line_id
left join {{ ref('int_own_lines') }} as own
    on own.org_id = c.org_id and own.statement = c.statement and own.line_id = c.line_id
