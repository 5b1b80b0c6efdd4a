{#- One shape for every fact seed: typed columns, trimmed identifiers, remark empty -> null. -#}
{% macro stage_facts(relation) %}
select
    trim(org_id)            as org_id,
    report_year,
    fiscal_year,
    trim(statement)         as statement,
    trim(line_id)           as line_id,
    trim(measure)           as measure,
    trim(label_printed)     as label_printed,
    value,
    trim(unit)              as unit,
    decimals,
    source_ref,
    nullif(trim(remark), '') as remark,
    cast(confidence as decimal(5, 1)) as confidence
-- confidence is optional: a relation without it (a typed seed) reads it as null
from (select * from {{ relation }} union all by name select cast(null as decimal(5, 1)) as confidence where false)
{% endmacro %}

{#- One shape for the goals of seeds and collections. -#}
{% macro stage_goals(relation) %}
select
    trim(org_id)                 as org_id,
    report_year,
    fiscal_year,
    trim(goal_id)                as goal_id,
    trim(category)               as category,
    label_sv,
    lower(trim(printed_status))  as printed_status,
    source_ref
from {{ relation }}
{% endmacro %}
