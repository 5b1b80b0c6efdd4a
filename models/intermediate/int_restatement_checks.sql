-- A figure reprinted by the next report that prints it (last year's comparatives, the five-year overview)
-- against the report that printed it before. Grain: one check instance (check_id names the restating
-- report). Two printings agree when their intervals overlap; a deliberate restatement is registered
-- in known_errata.csv with its reason, like any other explained discrepancy.
with printings as (
    select
        *,
        lead(fact_key) over next_report         as next_fact_key,
        lead(report_year) over next_report      as next_report_year,
        lead(value_normalised) over next_report as next_value,
        lead(half_width) over next_report       as next_half_width,
        lead(label_printed) over next_report    as next_label_printed,
        lead(source_ref) over next_report       as next_source_ref
    from {{ ref('int_printed_facts') }}
    window next_report as (partition by org_id, fiscal_year, statement, line_id, measure order by report_year)
)

select
    concat('restatement.', statement, '.', line_id, '.', measure, ':', next_report_year) as check_id,
    'restatement'                                                                     as check_family,
    org_id,
    fiscal_year,
    concat(statement, ' ', label_printed, ' ', fiscal_year, ' in the ', report_year, ' report') as lhs_label,
    value_normalised                                                                  as lhs_value,
    concat(statement, ' ', next_label_printed, ' ', fiscal_year, ' in the ', next_report_year, ' report') as rhs_label,
    next_value                                                                        as rhs_value,
    half_width + next_half_width                                                      as tolerance,
    base_unit                                                                         as unit,
    {{ figures_agree('value_normalised', 'next_value', 'half_width + next_half_width') }} as passed,
    concat(source_ref, ' (', report_year, ') ↔ ', next_source_ref, ' (', next_report_year, ')') as source_ref,
    'A figure reprinted by the next report agrees with the original'                  as context,
    [fact_key, next_fact_key]                                                         as fact_keys,
    'interval'                                                                        as form,
    [{'fact_key': fact_key, 'coefficient': 1.0::double}, {'fact_key': next_fact_key, 'coefficient': -1.0::double}] as terms
from printings
where next_fact_key is not null
