{#- Every row's key (several columns) exists in the parent; `columns` maps child column -> parent column.
    Rows whose key contains a wildcard value ('*' or '{intervention}') are rules, not references. -#}
{% test relationships_composite(model, to, columns, wildcards=['*', '{intervention}']) %}
select child.*
from {{ model }} as child
where not exists (
    select 1 from {{ to }} as parent
    where {% for child_col, parent_col in columns.items() %}parent.{{ parent_col }} = child.{{ child_col }}{% if not loop.last %} and {% endif %}{% endfor %}
)
{% for child_col in columns.keys() %}
and cast(child.{{ child_col }} as varchar) not in ({% for w in wildcards %}'{{ w }}'{% if not loop.last %}, {% endif %}{% endfor %})
{% endfor %}
{% endtest %}
