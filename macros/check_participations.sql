{#- One row per (check instance, fact it takes in): org_id, fact_key, check_id, passed. A range check bounds a figure
    on its own and confirms it against nothing, so it takes no fact in. It is left out inside the unnest, not
    by a `where`: grouped by (org_id, fact_key), they stay unique on those keys under a left join, which DuckDB
    then drops from a grouping query that reads none of its columns. A check instance is one row
    (check_id, org, year), so its distinct facts need no distinct over all. -#}
{% macro check_participations() -%}
select
    org_id,
    unnest(case when check_family <> 'value_range' then list_distinct(fact_keys) else [] end) as fact_key,
    check_id,
    passed
from {{ ref('int_check_results') }}
{%- endmacro %}
