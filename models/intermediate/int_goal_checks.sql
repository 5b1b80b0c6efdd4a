-- Printed goal status against target and outcome, where the report gives both as numbers.
-- Grain: one goal per org and year. The status a target and outcome imply is defined in
-- seeds/reference/goal_status_rules.csv (attainment = outcome / target).
with goal_figures as (
    select
        g.org_id,
        g.fiscal_year,
        g.goal_id,
        g.label_sv,
        g.printed_status,
        g.source_ref,
        t.value     as target,
        o.value     as outcome,
        [t.fact_key, o.fact_key] as fact_keys
    from {{ ref('int_goals') }} as g
    inner join {{ ref('int_facts') }} as t
        on t.org_id = g.org_id and t.fiscal_year = g.fiscal_year and t.statement = 'GOAL'
        and t.line_id = g.goal_id and t.measure = 'target'
    inner join {{ ref('int_facts') }} as o
        on o.org_id = g.org_id and o.fiscal_year = g.fiscal_year and o.statement = 'GOAL'
        and o.line_id = g.goal_id and o.measure = 'outcome'
),

derived as (
    select
        f.*,
        cast(f.outcome as double) / f.target as attainment,
        r.printed_status as implied_status
    from goal_figures as f
    left join {{ ref('goal_status_rules') }} as r
        on (cast(f.outcome as double) / f.target > r.attainment_min
            or (r.min_inclusive and cast(f.outcome as double) / f.target = r.attainment_min))
        and (r.attainment_max is null
            or cast(f.outcome as double) / f.target < r.attainment_max
            or (r.max_inclusive and cast(f.outcome as double) / f.target = r.attainment_max))
)

select
    concat('goal.', goal_id)                                        as check_id,
    'goal_status'                                                   as check_family,
    org_id,
    fiscal_year,
    goal_id,
    concat('GOAL ', label_sv, ': target')                           as lhs_label,
    cast(target as double)                                          as lhs_value,
    concat('GOAL ', label_sv, ': outcome')                          as rhs_label,
    cast(outcome as double)                                         as rhs_value,
    cast(null as double)                                            as tolerance,
    'count'                                                         as unit,
    coalesce(implied_status = printed_status, false)                as passed,
    source_ref,
    concat('attainment ', round(100 * attainment)::integer, ' % implies ''', coalesce(implied_status, 'no status'),
           '''; printed ''Målet är ', printed_status, '''')         as context,
    fact_keys,
    -- the printed status is the claim; it is text, not a figure
    'claim'                                                         as form,
    cast([] as struct(fact_key uuid, coefficient double)[])         as terms
from derived
