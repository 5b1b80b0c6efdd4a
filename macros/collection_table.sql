{#- A table of a report collection. `finsam run --collection DIR` validates the folder and loads each file
    into schema `collection` of the build file before dbt runs, so no path ever reaches SQL. Without a
    collection: an empty relation of the same shape as the seed of the same layout. -#}
{% macro collection_table(name, seed) -%}
    {%- set loaded = adapter.get_relation(database=target.database, schema='collection', identifier=name) if execute else none -%}
    {%- if loaded is not none -%}
    (select * from {{ loaded }}) as collection_{{ name }}
    {%- else -%}
    (select * from {{ ref(seed) }} where false) as collection_{{ name }}
    {%- endif -%}
{%- endmacro %}
