{#- One shape for every fact seed: typed columns, trimmed identifiers, remark empty -> null. -#}
{% macro stage_facts(relation) %}
select
    trim(org_id)            as org_id,
    report_year,
    fiscal_year,
    trim(statement)         as statement,
    trim(line_id)           as line_id,
    trim(measure)           as measure,
    value,
    trim(unit)              as unit,
    decimals,
    source_ref,
    nullif(trim(remark), '') as remark
from {{ relation }}
{% endmacro %}
