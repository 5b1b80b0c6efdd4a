{#- Every rule on the columns of one model or seed, as one assertion: one dbt node per relation rather
    than one per column and rule (each node costs dbt tens of milliseconds; a view is read once per rule
    kind, the not-null counts in one scan). Each offending value is a row: the rule, the column(s), the
    value, and how many rows have it.

    not_null:        [column, …]
    unique:          [column or [column, …], …]  (a single column's nulls are not duplicates)
    accepted_values: {column: [value, …]}        (nulls are accepted)
    relationships:   [{columns: {child column: parent column}, to: ref(…), wildcards: [value, …]}]
                     every key exists in the parent; a key with a null column, or a key
                     holding a wildcard value, is no reference
    expressions:     [expression or {expression: …, where: …}] that every row (matching `where`) satisfies
-#}
{% test column_rules(model, not_null=[], unique=[], accepted_values={}, relationships=[], expressions=[]) %}
{%- set union = joiner("union all") -%}
select * from (
{%- if not_null %}
{{ union() }}
select 'not_null' as rule, columns, cast(null as varchar) as value, n_rows
from (
    select unnest([
        {%- for column in not_null %}
        {'columns': {{ sql_literal(column) }}, 'n_rows': count(*) filter (where {{ column }} is null)}{{ "," if not loop.last }}
        {%- endfor %}
    ], recursive := true)
    from {{ model }}
)
where n_rows > 0
{%- endif %}
{%- for key in unique %}
{%- set key_columns = [key] if key is string else key %}
{{ union() }}
select 'unique', {{ sql_literal(key_columns | join(", ")) }},
    concat_ws(', ', {% for column in key_columns %}cast({{ column }} as varchar){{ ", " if not loop.last }}{% endfor %}), count(*)
from {{ model }}
{%- if key_columns | length == 1 %}
where {{ key_columns[0] }} is not null
{%- endif %}
group by {% for column in key_columns %}{{ column }}{{ ", " if not loop.last }}{% endfor %}
having count(*) > 1
{%- endfor %}
{%- for column, values in accepted_values.items() %}
{{ union() }}
select 'accepted_values', {{ sql_literal(column) }}, cast({{ column }} as varchar), count(*)
from {{ model }}
where cast({{ column }} as varchar) not in ({% for value in values %}{{ sql_literal(value) }}{{ ", " if not loop.last }}{% endfor %})
group by {{ column }}
{%- endfor %}
{%- for reference in relationships %}
{%- set key_columns = reference.columns.keys() | list %}
{{ union() }}
select 'relationships', {{ sql_literal(key_columns | join(", ")) }},
    concat_ws(', ', {% for column in key_columns %}cast(child.{{ column }} as varchar){{ ", " if not loop.last }}{% endfor %}), count(*)
from {{ model }} as child
where not exists (
    select 1 from {{ reference.to }} as parent
    where {% for child_column, parent_column in reference.columns.items() %}parent.{{ parent_column }} = child.{{ child_column }}{{ " and " if not loop.last }}{% endfor %}
)
{%- for column in key_columns %}
and child.{{ column }} is not null
{%- endfor %}
{%- for column in key_columns %}{% for wildcard in reference.get("wildcards", []) %}
and cast(child.{{ column }} as varchar) <> {{ sql_literal(wildcard) }}
{%- endfor %}{% endfor %}
group by all
{%- endfor %}
{%- for rule in expressions %}
{%- set expression = rule if rule is string else rule.expression %}
{{ union() }}
select 'expression', {{ sql_literal(expression) }}, cast(checked as varchar), count(*)
from {{ model }} as checked
where not coalesce(({{ expression }}), false)
{%- if rule is not string and rule.where %}
and ({{ rule.where }})
{%- endif %}
group by all
{%- endfor %}
) as offending(rule, columns, value, n_rows)
{% endtest %}

{#- A value as SQL text: a string literal, quotes doubled (a YAML true is 'true', as DuckDB writes it). -#}
{% macro sql_literal(value) -%}
'{{ ((value | string | lower) if value is boolean else (value | string)).replace("'", "''") }}'
{%- endmacro %}
