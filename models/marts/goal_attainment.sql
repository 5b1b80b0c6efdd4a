-- Goals of the year: target, outcome and printed status, with the status the figures imply.
-- Grain: (org, fiscal year, goal).
with figures as (
    select
        org_id,
        fiscal_year,
        line_id                                                   as goal_id,
        max(value) filter (where measure = 'target')              as target,
        max(value) filter (where measure = 'outcome')             as outcome
    from {{ ref('int_facts') }}
    where statement = 'GOAL'
    group by org_id, fiscal_year, line_id
),

checks as (
    select org_id, fiscal_year, goal_id, status, message
    from {{ ref('int_reconciliations') }}
    where check_family = 'goal_status'
),

notes as (
    select distinct org_id, line_id as goal_id, reason
    from {{ ref('int_unconfirmable_facts') }}
    where statement = 'GOAL' and measure = 'target'
)

select
    g.org_id,
    g.fiscal_year,
    g.goal_id,
    g.category,
    g.label_sv,
    f.target,
    f.outcome,
    round(100 * f.outcome / f.target, 1)     as attainment_pct,
    g.printed_status,
    c.status                                 as check_status,
    coalesce(c.message, n.reason)            as assessment,
    g.source_ref
from {{ ref('int_goals') }} as g
left join figures as f using (org_id, fiscal_year, goal_id)
left join checks as c using (org_id, fiscal_year, goal_id)
left join notes as n using (org_id, goal_id)
