{{ config(materialized=var('table_materialization', 'table')) }}
-- Every check instance of every rule family in one shape. Grain: (check_id, org, fiscal year).
{% set check_models = ['int_calculation_checks', 'int_tie_out_checks', 'int_equation_checks',
                       'int_ratio_checks', 'int_goal_checks', 'int_restatement_checks',
                       'int_range_checks'] %}
{% for model in check_models %}
select
    check_id,
    check_family,
    org_id,
    fiscal_year,
    lhs_label,
    cast(lhs_value as double)  as lhs_value,
    rhs_label,
    cast(rhs_value as double)  as rhs_value,
    cast(tolerance as double)  as tolerance,
    unit,
    passed,
    source_ref,
    context,
    fact_ids,
    form,
    terms
from {{ ref(model) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
