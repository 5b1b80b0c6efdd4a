{{ config(materialized=var('table_materialization', 'table')) }}
-- Every check instance of every rule family in one shape. Grain: (check_id, org, fiscal year).
-- What a check is about, where a mart or suite selects or joins on it, is columns of its own (a footing's
-- statement; the concept and the intervention a tie-out is bound to; the funding rule's member type and
-- member line; the goal), so that they never read it out of check_id; a family fills the ones it has.
-- A range or restatement check's figure, and a footing's total, are in fact_keys: every row of the five
-- million at 10 000 org-years carrying their line and measure as text cost the build seconds. A check's
-- facts are their keys (macros/fact_key.sql); int_reconciliations gives every reader their fact ids.
{% set check_models = {
    'int_calculation_checks': ['statement'],
    'int_tie_out_checks': ['concept_id', 'intervention_id'],
    'int_equation_checks': ['member_type', 'member_line_id'],
    'int_ratio_checks': [],
    'int_goal_checks': ['goal_id'],
    'int_restatement_checks': [],
    'int_range_checks': [],
} %}
{% for model, subject in check_models.items() %}
select
    check_id,
    check_family,
    org_id,
    fiscal_year,
    {{- check_subject_columns(subject) }}
    lhs_label,
    cast(lhs_value as double)  as lhs_value,
    rhs_label,
    cast(rhs_value as double)  as rhs_value,
    cast(tolerance as double)  as tolerance,
    unit,
    passed,
    source_ref,
    context,
    fact_keys,
    form,
    terms
from {{ ref(model) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
