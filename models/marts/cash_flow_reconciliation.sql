-- The cash-flow statement against the balance-sheet movements it should explain.
-- Grain: (org, fiscal year). Changes follow the cash-flow convention: positive = cash in.
with kfa as (
    select
        org_id,
        fiscal_year,
        max(value_base) filter (where line_id = 'likvida_medel_borjan')  as opening_cash_kr,
        max(value_base) filter (where line_id = 'arets_resultat')        as result_kr,
        max(value_base) filter (where line_id = 'forandring_fordringar') as change_receivables_kr,
        max(value_base) filter (where line_id = 'forandring_skulder')    as change_liabilities_kr,
        max(value_base) filter (where line_id = 'arets_kassaflode')      as cash_flow_kr,
        max(value_base) filter (where line_id = 'likvida_medel_slut')    as closing_cash_kr
    from {{ ref('int_facts') }}
    where statement = 'KFA'
    group by org_id, fiscal_year
),

br as (
    select
        org_id,
        fiscal_year,
        max(value_base) filter (where line_id = 'kassa_och_bank')        as cash_kr,
        max(value_base) filter (where line_id = 'fordringar')            as receivables_kr,
        max(value_base) filter (where line_id = 'kortfristiga_skulder')  as liabilities_kr
    from {{ ref('int_facts') }}
    where statement = 'BR'
    group by org_id, fiscal_year
)

select
    k.org_id,
    k.fiscal_year,
    k.opening_cash_kr,
    prev.cash_kr                                           as br_cash_previous_year_kr,
    k.result_kr,
    k.change_receivables_kr,
    prev.receivables_kr - cur.receivables_kr               as br_change_receivables_kr,
    k.change_liabilities_kr,
    cur.liabilities_kr - prev.liabilities_kr               as br_change_liabilities_kr,
    k.cash_flow_kr,
    k.opening_cash_kr + k.cash_flow_kr                     as computed_closing_cash_kr,
    k.closing_cash_kr,
    cur.cash_kr                                            as br_cash_kr,
    k.closing_cash_kr - cur.cash_kr                        as closing_cash_difference_kr,
    k.change_receivables_kr - (prev.receivables_kr - cur.receivables_kr) as receivables_change_difference_kr,
    k.change_liabilities_kr - (cur.liabilities_kr - prev.liabilities_kr) as liabilities_change_difference_kr
from kfa as k
left join br as cur on cur.org_id = k.org_id and cur.fiscal_year = k.fiscal_year
left join br as prev on prev.org_id = k.org_id and prev.fiscal_year = k.fiscal_year - 1
