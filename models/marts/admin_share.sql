-- Administration cost share per year, from the operating report (tkr) and from Note 3 (kr),
-- of member contributions and of total operating costs, beside the report's own claim.
-- Grain: (org, fiscal year). Shares in percent; costs as positive amounts in kr.
with source_values as (
    select concept_id, source_id, org_id, fiscal_year, value
    from {{ ref('int_concept_source_values') }}
    where binding = ''
      and concept_id in ('admin_costs', 'member_contributions', 'operating_costs')
),

pivoted as (
    select
        org_id,
        fiscal_year,
        -max(value) filter (where concept_id = 'admin_costs' and source_id = 'dr')               as admin_costs_operating_report_kr,
        -max(value) filter (where concept_id = 'admin_costs' and source_id = 'not3')             as admin_costs_note3_kr,
        max(value) filter (where concept_id = 'member_contributions' and source_id = 'dr')       as contributions_operating_report_kr,
        max(value) filter (where concept_id = 'member_contributions' and source_id = 'not2')     as contributions_note2_kr,
        -max(value) filter (where concept_id = 'operating_costs' and source_id = 'dr')           as total_costs_operating_report_kr,
        -max(value) filter (where concept_id = 'operating_costs' and source_id = 'not3')         as total_costs_note3_kr
    from source_values
    group by org_id, fiscal_year
),

claims as (
    select org_id, fiscal_year, value as claimed_share_pct
    from {{ ref('int_facts') }}
    where statement = 'NARR' and line_id = 'andel_administration'
),

claim_checks as (
    select org_id, fiscal_year, status as claim_status, message as claim_message
    from {{ ref('int_reconciliations') }}
    where check_id = 'admin_share_of_contributions'
)

select
    p.org_id,
    p.fiscal_year,
    p.admin_costs_operating_report_kr,
    p.admin_costs_note3_kr,
    p.contributions_operating_report_kr,
    p.contributions_note2_kr,
    p.total_costs_operating_report_kr,
    p.total_costs_note3_kr,
    round(100 * p.admin_costs_operating_report_kr / nullif(p.contributions_operating_report_kr, 0), 2) as share_of_contributions_operating_report_pct,
    round(100 * p.admin_costs_operating_report_kr / nullif(p.total_costs_operating_report_kr, 0), 2)   as share_of_costs_operating_report_pct,
    round(100 * p.admin_costs_note3_kr / nullif(p.contributions_note2_kr, 0), 2)                     as share_of_contributions_note3_pct,
    round(100 * p.admin_costs_note3_kr / nullif(p.total_costs_note3_kr, 0), 2)                       as share_of_costs_note3_pct,
    c.claimed_share_pct,
    k.claim_status,
    k.claim_message
from pivoted as p
left join claims as c using (org_id, fiscal_year)
left join claim_checks as k using (org_id, fiscal_year)
where p.admin_costs_operating_report_kr is not null or p.admin_costs_note3_kr is not null
