-- Everything an equation or a ratio can refer to, in one shape. Grain: (org, fiscal year, statement,
-- line, measure). Concepts appear as statement 'CONCEPT', line = concept id, measure = the bound
-- intervention (or 'amount'), valued by their reference source.
select
    org_id,
    fiscal_year,
    statement,
    line_id,
    measure,
    value_normalised                                   as value,
    half_width,
    base_unit                                          as unit,
    concat(statement, ' ', label_printed, ' ', fiscal_year) as label,
    source_ref,
    [fact_key]                                         as fact_keys,
    [{'fact_key': fact_key, 'coefficient': 1.0::double}]       as terms
from {{ ref('int_facts') }}

union all

select
    org_id,
    fiscal_year,
    'CONCEPT',
    concept_id,
    case when binding = '' then 'amount' else binding end,
    value,
    half_width,
    unit,
    concat(c.name_en, ' ', fiscal_year, ' (', source_label, ')'),
    source_ref,
    fact_keys,
    terms
from {{ ref('int_concept_values') }}
inner join {{ ref('concepts') }} as c using (concept_id)
