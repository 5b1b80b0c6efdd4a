{#- The check models' key of a fact: its fact_id's 128 bits as a UUID (a fact_id is an MD5 in hex). A check's
    facts are lists of keys, not of 32-character strings: at 10 000 org-years, writing int_check_results took
    11.5 s with text lists against 5.1 s with keys. A key sorts as its fact_id does, and maps back by a
    function of the key alone (no join), so a mart that publishes fact ids costs a reader next to nothing
    (every check's list at 10 000 org-years: 0.8 s). -#}
{% macro fact_key(fact_id) -%}
cast({{ fact_id }} as uuid)
{%- endmacro %}

{% macro fact_id_of(fact_key) -%}
replace(cast({{ fact_key }} as varchar), '-', '')
{%- endmacro %}

{% macro fact_ids_of(fact_keys) -%}
list_transform({{ fact_keys }}, lambda k: {{ fact_id_of('k') }})
{%- endmacro %}

{#- A list of a check's (fact_key, coefficient) terms as the marts and the diagnosis read them: (fact_id, coefficient). -#}
{% macro terms_with_fact_ids(terms) -%}
list_transform({{ terms }}, lambda t: {'fact_id': {{ fact_id_of('t.fact_key') }}, 'coefficient': t.coefficient})
{%- endmacro %}
