{#- A collection of reports loaded from a folder (var collection_path) instead of seeds: Parquet by
    default, CSV with var collection_format: csv. Without a collection, an empty relation of the same
    shape, so every model reads seeds and collection alike. -#}
{% macro collection_source(name, columns) -%}
    {%- set path = var('collection_path', '') -%}
    {%- set format = var('collection_format', 'parquet') -%}
    (
    select
        {%- for column, type in columns.items() %}
        {% if path %}cast({{ column }} as {{ type }}){% else %}cast(null as {{ type }}){% endif %} as {{ column }}{{ "," if not loop.last }}
        {%- endfor %}
    {% if path and format == 'csv' -%}
    from read_csv('{{ path }}/{{ name }}*.csv', header = true, all_varchar = true)
    {%- elif path -%}
    from read_parquet('{{ path }}/{{ name }}*.parquet')
    {%- else -%}
    where false
    {%- endif %}
    ) as collection_{{ name }}
{%- endmacro %}

{% macro fact_columns() -%}
    {{ return({'org_id': 'varchar', 'report_year': 'integer', 'fiscal_year': 'integer', 'statement': 'varchar',
               'line_id': 'varchar', 'measure': 'varchar', 'value': 'decimal(20,4)', 'unit': 'varchar',
               'decimals': 'integer', 'source_ref': 'varchar', 'remark': 'varchar'}) }}
{%- endmacro %}
