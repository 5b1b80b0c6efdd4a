{#- Every row (optionally: every row matching `where`) satisfies the expression. -#}
{% test expression_is_true(model, expression, where=none, column_name=none) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% if where %}and ({{ where }}){% endif %}
{% endtest %}
