-- Member contributions (Note 2) against the Finsam law: the state half, the region a quarter, the
-- municipalities together a quarter, split among several municipalities by the association's own rule.
-- Each association's members as it names them. Grain: (org, fiscal year, member line).
with notes as (
    select org_id, fiscal_year, line_id, label_printed, value_base
    from {{ ref('int_facts') }}
    where statement = 'NOT2'
),

checks as (
    select org_id, fiscal_year, member_type, member_line_id, status
    from {{ ref('int_reconciliations') }}
    where check_family = 'funding_rule'
)

select
    m.org_id,
    n.fiscal_year,
    m.member_type,
    m.line_id,
    m.member_sv,
    n.label_printed,
    n.value_base                                                     as contribution_kr,
    t.value_base                                                     as total_contributions_kr,
    round(100 * n.value_base / t.value_base, 3)                      as actual_share_pct,
    100 * r.rule_share * m.share_of_type                             as rule_share_pct,
    r.rule_share * m.share_of_type * t.value_base                    as rule_amount_kr,
    n.value_base - r.rule_share * m.share_of_type * t.value_base     as difference_from_rule_kr,
    c.status                                                         as rule_status
from {{ ref('int_funding_members') }} as m
inner join {{ ref('funding_rule') }} as r on r.member_type = m.member_type and r.statement = m.statement
inner join notes as n on n.org_id = m.org_id and n.line_id = m.line_id
inner join notes as t on t.org_id = m.org_id and t.fiscal_year = n.fiscal_year and t.line_id = r.total_line_id
left join checks as c
    on c.org_id = m.org_id
    and c.fiscal_year = n.fiscal_year
    -- a member that shares its type's part has a check of its own; otherwise its type's check is its
    and c.member_type = m.member_type
    and c.member_line_id is not distinct from case when m.share_of_type < 1 then m.line_id end
