-- Key ratios per year, computed from the reference figures, beside the printed ones where the
-- report prints them. Grain: (org, fiscal year, ratio).
with concept as (
    select concept_id, org_id, fiscal_year, value
    from {{ ref('int_concept_values') }}
    where binding = ''
),

wide as (
    select
        org_id,
        fiscal_year,
        max(value) filter (where concept_id = 'closing_equity')       as equity,
        max(value) filter (where concept_id = 'total_assets')         as total_assets,
        max(value) filter (where concept_id = 'annual_result')        as result,
        max(value) filter (where concept_id = 'member_contributions') as contributions,
        -max(value) filter (where concept_id = 'operating_costs')     as costs,
        -max(value) filter (where concept_id = 'admin_costs')         as admin_costs,
        -max(value) filter (where concept_id = 'intervention_costs')  as intervention_costs
    from concept
    group by org_id, fiscal_year
),

printed as (
    select org_id, fiscal_year, line_id, value
    from {{ ref('int_facts') }}
    where (statement, line_id) in (('FYO', 'soliditet'), ('NARR', 'andel_administration'))
),

ratios as (
    select org_id, fiscal_year, 'equity_ratio' as ratio_id, 'Soliditet' as label_sv,
           'Equity / total assets' as definition_en, 100 * equity / total_assets as value_pct, 'soliditet' as printed_line
    from wide
    union all
    select org_id, fiscal_year, 'result_margin', 'Resultat i procent av medlemsbidrag',
           'Result / member contributions', 100 * result / contributions, null
    from wide
    union all
    select org_id, fiscal_year, 'cost_coverage', 'Medlemsbidrag i procent av kostnader',
           'Member contributions / operating costs', 100 * contributions / costs, null
    from wide
    union all
    select org_id, fiscal_year, 'admin_share_of_contributions', 'Administrationens andel av tilldelade medel',
           'Administrative costs / member contributions', 100 * admin_costs / contributions, 'andel_administration'
    from wide
    union all
    select org_id, fiscal_year, 'intervention_share_of_costs', 'Insatsernas andel av kostnaderna',
           'Intervention costs / operating costs', 100 * intervention_costs / costs, null
    from wide
    union all
    select org_id, fiscal_year, 'equity_to_contributions', 'Eget kapital i procent av medlemsbidrag',
           'Equity / member contributions', 100 * equity / contributions, null
    from wide
)

select
    r.org_id,
    r.fiscal_year,
    r.ratio_id,
    r.label_sv,
    r.definition_en,
    round(r.value_pct, 2)       as value_pct,
    p.value                     as printed_value_pct
from ratios as r
left join printed as p
    on p.org_id = r.org_id and p.fiscal_year = r.fiscal_year and p.line_id = r.printed_line
where r.value_pct is not null
