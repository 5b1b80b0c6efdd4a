-- Budget against outcome per intervention and year. Grain: (org, intervention, fiscal year).
-- Costs are positive amounts here. deviation = actual cost − budget cost (the report's own
-- "Utfall-Budget"); favourable means the intervention cost less than budgeted.
with dr as (
    select
        org_id,
        fiscal_year,
        intervention_id,
        any_value(label_printed)                                                     as label_operating_report,
        max(value) filter (where measure = 'actual_cost')                          as actual_cost_tkr,
        max(value) filter (where measure = 'budget_net')                           as budget_cost_tkr,
        max(value) filter (where measure = 'deviation_net')                        as printed_deviation_tkr
    from {{ ref('int_facts') }}
    where statement = 'DR' and intervention_id is not null
    group by org_id, fiscal_year, intervention_id
),

note3 as (
    select org_id, fiscal_year, intervention_id, label_printed as label_note3, value as actual_cost_note3_kr
    from {{ ref('int_facts') }}
    where statement = 'NOT3' and intervention_id is not null
),

tie_out as (
    select org_id, fiscal_year, intervention_id, status
    from {{ ref('int_reconciliations') }}
    where concept_id = 'intervention_cost' and intervention_id is not null
),

joined as (
    select
        d.org_id,
        d.intervention_id,
        d.fiscal_year,
        i.name_en,
        i.category,
        d.label_operating_report,
        n.label_note3,
        d.budget_cost_tkr,
        d.actual_cost_tkr,
        n.actual_cost_note3_kr,
        d.actual_cost_tkr - d.budget_cost_tkr                                           as deviation_tkr,
        d.printed_deviation_tkr,
        t.status                                                                        as note3_tie_out_status
    from dr as d
    inner join {{ ref('int_interventions') }} as i using (org_id, intervention_id)
    left join note3 as n using (org_id, fiscal_year, intervention_id)
    left join tie_out as t using (org_id, fiscal_year, intervention_id)
)

select
    j.org_id,
    j.intervention_id,
    j.fiscal_year,
    j.name_en,
    j.category,
    j.label_operating_report,
    j.label_note3,
    j.budget_cost_tkr,
    j.actual_cost_tkr,
    j.actual_cost_note3_kr,
    j.deviation_tkr,
    round(100 * j.deviation_tkr / nullif(j.budget_cost_tkr, 0), 1)          as deviation_pct,
    case when j.budget_cost_tkr is null then null
         else j.actual_cost_tkr < j.budget_cost_tkr end                     as favourable,
    j.printed_deviation_tkr,
    j.printed_deviation_tkr = j.deviation_tkr                               as printed_deviation_recomputes,
    p.actual_cost_tkr                                                       as prior_year_actual_cost_tkr,
    j.actual_cost_tkr - p.actual_cost_tkr                                   as change_from_prior_year_tkr,
    round(100 * (j.actual_cost_tkr - p.actual_cost_tkr) / nullif(p.actual_cost_tkr, 0), 1) as change_from_prior_year_pct,
    j.note3_tie_out_status
from joined as j
left join joined as p
    on p.org_id = j.org_id and p.intervention_id = j.intervention_id and p.fiscal_year = j.fiscal_year - 1
