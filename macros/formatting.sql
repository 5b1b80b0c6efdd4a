{#- Numbers in messages as a Swedish reader writes them: space as thousands separator. -#}
{% macro format_number(expr, decimals=0) -%}
    replace(format('{:,.{{ decimals }}f}', cast({{ expr }} as double)), ',', ' ')
{%- endmacro %}

{#- A check value as a person reads it: percentages with one decimal, amounts whole unless printed with decimals. -#}
{% macro format_value(expr, unit) -%}
    case
        when {{ expr }} is null then 'n/a'
        when {{ unit }} = '%' then concat({{ format_number(expr, 1) }}, ' %')
        when {{ expr }} <> round({{ expr }}) then concat({{ format_number(expr, 1) }}, ' ', {{ unit }})
        else concat({{ format_number(expr) }}, ' ', {{ unit }})
    end
{%- endmacro %}

{#- A decimal share in percent without trailing zeros: 0.25 -> '25', 0.075 -> '7.5'. -#}
{% macro format_percent(share_expr) -%}
    regexp_replace(cast({{ share_expr }} * 100 as varchar), '\.?0+$', '')
{%- endmacro %}
