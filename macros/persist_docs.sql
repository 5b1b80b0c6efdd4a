{#- The descriptions of the marts and seeds as DuckDB comments (BI tools show them), in one statement per
    relation. dbt's default asks DuckDB for the relation's columns twice and sends two statements: for the
    36 relations that was about a second of every build. A documented column the relation does not have
    therefore fails the build, naming the column, where dbt's default would leave it out with a warning. -#}
{% macro duckdb__persist_docs(relation, model, for_relation, for_columns) -%}
  {%- set statements = [] -%}
  {%- if for_relation and config.persist_relation_docs() and model.description -%}
    {%- do statements.append(alter_relation_comment(relation, model.description)) -%}
  {%- endif -%}
  {%- if for_columns and config.persist_column_docs() -%}
    {%- for name, column in model.columns.items() if column.description -%}
      {%- do statements.append("comment on column " ~ relation ~ "." ~ (adapter.quote(name) if column.quote else name)
                               ~ " is " ~ duckdb_escape_comment(column.description) ~ ";") -%}
    {%- endfor -%}
  {%- endif -%}
  {%- if statements -%}
    {%- do run_query(statements | join("\n")) -%}
  {%- endif -%}
{%- endmacro %}
