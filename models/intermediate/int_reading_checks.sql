{{ config(materialized='view') }}
-- The checks proof-read OCR: a figure read from a scanned page with a confidence below
-- var('uncertain_reading_below') passes where a passing check takes it in, and fails as an uncertain
-- reading where none does, so that the nightly run never publishes it before a person has looked at its
-- page. A person who has looked clears its confidence in facts.csv. Grain: (org, report year, figure):
-- the report year is in check_id, a figure reprinted by a later report being a reading of its own.
-- In the shape of int_reconciliations, which lists them beside every other check.
with uncertain as (
    select fact_id, fact_key, org_id, report_year, fiscal_year, statement, line_id, measure, label_printed, value, unit,
           source_ref, cast(confidence as double) as confidence
    from {{ ref('int_printed_facts') }}
    where confidence < {{ var('uncertain_reading_below') }}
),

confirming as (
    select p.fact_key, list_sort(list(distinct p.check_id)) as check_ids
    from ({{ check_participations() }}) as p
    where p.passed and p.fact_key in (select fact_key from uncertain)
    group by p.fact_key
)

select
    concat('uncertain_reading:', u.statement, '.', u.line_id, '.', u.measure, '@', u.report_year) as check_id,
    'reading'                                                       as check_family,
    u.org_id,
    u.fiscal_year,
    {{- check_subject_columns({'statement': 'u.statement'}) }}
    concat('reading confidence of ', u.label_printed)               as lhs_label,
    u.confidence                                                    as lhs_value,
    'uncertain below'                                               as rhs_label,
    cast({{ var('uncertain_reading_below') }} as double)           as rhs_value,
    cast(null as double)                                            as difference,
    cast(null as double)                                            as tolerance,
    '%'                                                             as unit,
    case when c.check_ids is null then 'fail' else 'pass' end       as status,
    case when c.check_ids is null then 'major' else 'none' end      as severity,
    u.source_ref,
    'A figure read by OCR with a confidence below the threshold is confirmed by a passing check, or looked at by a person' as rule,
    cast(null as varchar)                                           as erratum_reason,
    concat(u.statement, ' ', u.label_printed, ' ', u.fiscal_year, ' (the ', u.report_year, ' report) was read by OCR as ',
           {{ format_value('u.value', 'u.unit') }}, ' with confidence ', {{ format_value('u.confidence', "'%'") }},
           ' (uncertain below ', {{ var('uncertain_reading_below') }}, ' %): ',
           case when c.check_ids is null
                then concat('no passing check confirms it. Look at ', u.source_ref,
                            ', correct the figure in facts.csv if it is misread, and clear its confidence there once read.')
                else concat('confirmed by ', array_to_string(c.check_ids, ', '), '.') end) as message,
    [u.fact_id]                                                     as fact_ids,
    cast(null as varchar)                                           as form,
    cast(null as struct(fact_id varchar, coefficient double)[])     as terms
from uncertain as u
left join confirming as c using (fact_key)
