{#- The columns that say what a check is about, in the order every relation in the shape of the checks
    has them (int_check_results, int_reconciliations' stale errata, int_reading_checks): each the
    expression `given` names for it (a mapping of column to expression, or a list of columns a relation
    has under their own name), else null. A family fills the ones it has; a mart joins on them, never on
    parts of check_id. -#}
{% macro check_subject_columns(given=[]) -%}
{%- for column in ['statement', 'concept_id', 'intervention_id', 'member_type', 'member_line_id', 'goal_id'] %}
    {% if column in given %}{{ given[column] if given is mapping else column }}{% else %}cast(null as varchar){% endif %} as {{ column }},
{%- endfor %}
{%- endmacro %}
