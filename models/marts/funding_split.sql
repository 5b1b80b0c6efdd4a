-- Member contributions (Note 2) against the Finsam rule: the state half, region and municipality
-- a quarter each. Grain: (org, fiscal year, member).
with notes as (
    select org_id, fiscal_year, line_id, value_base
    from {{ ref('int_facts') }}
    where statement = 'NOT2'
),

checks as (
    select org_id, fiscal_year, check_id, status
    from {{ ref('int_reconciliations') }}
    where check_family = 'funding_rule'
)

select
    m.org_id,
    m.fiscal_year,
    r.member_type,
    r.member_sv,
    m.value_base                                             as contribution_kr,
    t.value_base                                             as total_contributions_kr,
    round(100 * m.value_base / t.value_base, 3)              as actual_share_pct,
    100 * r.rule_share                                       as rule_share_pct,
    r.rule_share * t.value_base                              as rule_amount_kr,
    m.value_base - r.rule_share * t.value_base               as difference_from_rule_kr,
    c.status                                                 as rule_status
from {{ ref('funding_rule') }} as r
inner join notes as m on m.line_id = r.line_id
inner join notes as t on t.line_id = r.total_line_id and t.org_id = m.org_id and t.fiscal_year = m.fiscal_year
left join checks as c
    on c.check_id = concat('funding_rule.', r.member_type) and c.org_id = m.org_id and c.fiscal_year = m.fiscal_year
