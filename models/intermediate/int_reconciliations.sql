{{ config(materialized='view') }}
-- Every check result, one row each: what was compared, both values, difference, tolerance, status.
-- Status: pass; known (fails exactly as registered in seeds/reference/known_errata.csv); fail.
-- A registered erratum that no longer occurs with its registered figures is itself a failing row; an
-- uncertain OCR reading no passing check confirms is one too (int_reading_checks).
-- No CTE over the check results is read twice: DuckDB would materialise it (every check with its
-- message) for each reader, and a stored view keeps no `not materialized` hint.
{%- set registered_figures %}
round(r.lhs_value, 2) = round(e.lhs_value, 2) and round(r.rhs_value, 2) = round(e.rhs_value, 2)
{%- endset %}
with errata as (
    select * from {{ ref('known_errata') }}
),

families as (
    select * from {{ ref('check_families') }}
),

with_errata as (
    select
        r.*,
        e.reason                                                  as erratum_reason,
        not r.passed and e.check_id is not null and {{ registered_figures }} as is_known
    from {{ ref('int_check_results') }} as r
    left join errata as e
        on e.check_id = r.check_id and e.org_id = r.org_id and e.fiscal_year = r.fiscal_year
),

-- a reader that asks for a few checks or columns computes only those
check_rows as (
    select
        w.check_id,
        w.check_family,
        w.org_id,
        w.fiscal_year,
        w.statement,
        w.concept_id,
        w.intervention_id,
        w.member_type,
        w.member_line_id,
        w.goal_id,
        w.lhs_label,
        w.lhs_value,
        w.rhs_label,
        w.rhs_value,
        w.lhs_value - w.rhs_value                                       as difference,
        w.tolerance,
        w.unit,
        case when w.passed then 'pass' when w.is_known then 'known' else 'fail' end as status,
        case
            when w.passed then 'none'
            when w.tolerance is not null
                and {{ difference_within('w.lhs_value', 'w.rhs_value', 'w.tolerance * f.minor_up_to_tolerance_multiple') }} then 'minor'
            else 'major'
        end                                                             as severity,
        w.source_ref,
        w.context                                                       as rule,
        case when w.is_known then w.erratum_reason end                  as erratum_reason,
        concat(
            w.context, ': ',
            w.lhs_label, ' = ', {{ format_value('w.lhs_value', 'w.unit') }},
            case when w.passed then ' agrees with ' else ' disagrees with ' end,
            w.rhs_label, ' = ', {{ format_value('w.rhs_value', 'w.unit') }},
            case when w.tolerance is not null then concat(
                ' (difference ', {{ format_value('w.lhs_value - w.rhs_value', 'w.unit') }},
                ', tolerance ', {{ format_value('w.tolerance', 'w.unit') }}, ')') else '' end,
            '.',
            case when w.is_known then concat(' Known erratum: ', w.erratum_reason) else '' end
        )                                                               as message,
        {{ fact_ids_of('w.fact_keys') }}                               as fact_ids,
        w.form,
        {{ terms_with_fact_ids('w.terms') }}                           as terms
    from with_errata as w
    inner join families as f on f.check_family = w.check_family
),

stale_errata as (
    select
        concat('erratum:', e.check_id)                                  as check_id,
        'errata'                                                        as check_family,
        e.org_id,
        e.fiscal_year,
        {{- check_subject_columns() }}
        concat('registered erratum ', e.check_id)                       as lhs_label,
        cast(e.lhs_value as double)                                     as lhs_value,
        'registered right-hand figure'                                  as rhs_label,
        cast(e.rhs_value as double)                                     as rhs_value,
        cast(null as double)                                            as difference,
        cast(null as double)                                            as tolerance,
        coalesce(r.unit, '')                                            as unit,
        'fail'                                                          as status,
        'major'                                                         as severity,
        'seeds/reference/known_errata.csv'                              as source_ref,
        'A registered erratum still occurs with exactly its registered figures' as rule,
        e.reason                                                        as erratum_reason,
        concat('The erratum registered for ', e.check_id, ' ', e.fiscal_year, ' (',
               {{ format_number('e.lhs_value', 1) }}, ' vs ', {{ format_number('e.rhs_value', 1) }}, ') ',
               case
                   when r.check_id is null then 'matches no check any more'
                   when r.passed then 'no longer occurs: the check passes'
                   else concat('no longer has its registered figures: the check now compares ',
                               {{ format_number('r.lhs_value', 1) }}, ' with ', {{ format_number('r.rhs_value', 1) }})
               end,
               '. Review the change and update or remove the erratum.')   as message,
        cast([] as varchar[])                                           as fact_ids,
        cast(null as varchar)                                           as form,
        cast(null as struct(fact_id varchar, coefficient double)[])     as terms
    from errata as e
    left join {{ ref('int_check_results') }} as r
        on r.check_id = e.check_id and r.org_id = e.org_id and r.fiscal_year = e.fiscal_year
    -- every erratum whose check is not 'known' (missing, passing, or failing with other figures)
    where not coalesce(not r.passed and {{ registered_figures }}, false)
)

{% for rows in ['check_rows', 'stale_errata', ref('int_reading_checks')] %}
select
    check_id, check_family, org_id, fiscal_year, statement, concept_id, intervention_id, member_type,
    member_line_id, goal_id, lhs_label, lhs_value, rhs_label, rhs_value,
    difference, tolerance, unit, status, severity, source_ref, rule, erratum_reason, message, fact_ids,
    form, terms
from {{ rows }}
{% if not loop.last %}union all{% endif %}
{%- endfor %}
