{{ config(materialized=var('table_materialization', 'table')) }}
-- The reference value of every concept. Grain: (concept, binding, org, fiscal year).
-- The reference is the available source of highest priority (lowest number): the statements
-- outrank the overview, the text and the web page (seeds/reference/concept_sources.csv).
select
    concept_id,
    binding,
    org_id,
    fiscal_year,
    source_id,
    value,
    half_width,
    unit,
    source_label,
    source_ref,
    fact_keys,
    terms,
    count(*) over (partition by concept_id, binding, org_id, fiscal_year) as n_sources
from {{ ref('int_concept_source_values') }}
qualify row_number() over (
    partition by concept_id, binding, org_id, fiscal_year
    order by priority
) = 1
