-- Equity per year, as far back as the sources allow. Grain: (org, fiscal year).
-- Each figure comes from its reference source (statements before overview, text and web page);
-- other_movements is what the figures imply beyond the result (0 when the sources agree).
with concept as (
    select * from {{ ref('int_concept_values') }}
    where concept_id in ('closing_equity', 'annual_result') and binding = ''
),

closing as (select * from concept where concept_id = 'closing_equity'),
result as (select * from concept where concept_id = 'annual_result'),

years as (
    select org_id, fiscal_year from closing
    union
    select org_id, fiscal_year from result
),

br as (
    select
        org_id,
        fiscal_year,
        max(value_base) filter (where line_id = 'ovrigt_eget_kapital')     as br_other_equity,
        max(value_base) filter (where line_id = 'foregaende_arsresultat')  as br_previous_years_result,
        max(value_base) filter (where line_id = 'arets_resultat')          as br_result
    from {{ ref('int_facts') }}
    where statement = 'BR'
    group by org_id, fiscal_year
),

checks as (
    select
        org_id,
        fiscal_year,
        max(status) filter (where check_id = 'equity_rollforward')                       as rollforward_status,
        bool_or(status <> 'pass') filter (
            where concept_id in ('closing_equity', 'annual_result'))                       as sources_disagree,
        bool_or(status <> 'pass') filter (where check_id = 'br_other_equity_rollforward') as br_components_disagree
    from {{ ref('int_reconciliations') }}
    group by org_id, fiscal_year
)

select
    y.org_id,
    y.fiscal_year,
    p.value                                           as opening_equity_kr,
    p.source_label                                    as opening_equity_source,
    p.half_width                                      as opening_equity_precision_kr,
    r.value                                           as result_kr,
    r.source_label                                    as result_source,
    r.half_width                                      as result_precision_kr,
    c.value - p.value - r.value                       as other_movements_kr,
    c.value                                           as closing_equity_kr,
    c.source_label                                    as closing_equity_source,
    c.half_width                                      as closing_equity_precision_kr,
    c.n_sources                                       as closing_equity_n_sources,
    r.n_sources                                       as result_n_sources,
    b.br_other_equity                                 as br_other_equity_kr,
    b.br_previous_years_result                        as br_previous_years_result_kr,
    b.br_result                                       as br_result_kr,
    k.rollforward_status,
    coalesce(k.sources_disagree, false)               as sources_disagree,
    coalesce(k.br_components_disagree, false)         as br_components_disagree
from years as y
left join closing as c on c.org_id = y.org_id and c.fiscal_year = y.fiscal_year
left join closing as p on p.org_id = y.org_id and p.fiscal_year = y.fiscal_year - 1
left join result as r on r.org_id = y.org_id and r.fiscal_year = y.fiscal_year
left join br as b on b.org_id = y.org_id and b.fiscal_year = y.fiscal_year
left join checks as k on k.org_id = y.org_id and k.fiscal_year = y.fiscal_year
