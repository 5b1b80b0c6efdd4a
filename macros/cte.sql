{% macro read_in_place_if_table() -%}
{#- For a CTE that only reads a table model used several times, in a model that is itself a table (a
    stored view keeps no such hint): where the model read is a table (the nightly build), read it in place
    wherever the CTE is used, as a copy of millions of rows costs seconds; where it is a view
    (--vars '{table_materialization: view}'), computing it once is the cheaper. -#}
{%- if var('table_materialization', 'table') == 'table' %}not materialized{% endif -%}
{%- endmacro %}
