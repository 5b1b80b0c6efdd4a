{#- The precision rule, its one owner in SQL (finsam/precision.py is its owner in Python).
    A figure printed with d decimals in a unit stands for an interval: its value ± half a printed unit.
    Two printed figures agree when their intervals overlap (XBRL Calculations 1.1); a printed table foots
    when its terms, each rounded to the table's coarsest printed unit, sum to within half that unit. -#}

{#- Half a printed unit of a figure printed with `decimals` decimals in a unit of `factor_to_base`. -#}
{% macro half_width(factor_to_base, decimals) -%}
    cast({{ factor_to_base }} * 0.5 / cast(power(10, {{ decimals }}) as decimal(38, 6)) as decimal(38, 6))
{%- endmacro %}

{#- Two figures agree: their difference is less than the summed half-widths (`tolerance`). -#}
{% macro figures_agree(lhs, rhs, tolerance) -%}
    abs({{ lhs }} - {{ rhs }}) < {{ tolerance }}
{%- endmacro %}

{#- Two intervals, each given by its ends, overlap. -#}
{% macro intervals_overlap(low_a, high_a, low_b, high_b) -%}
    {{ low_a }} < {{ high_b }} and {{ low_b }} < {{ high_a }}
{%- endmacro %}

{#- A figure rounded to the nearest multiple of `step` (half away from zero, as a printed figure is). -#}
{% macro rounded_to(value, step) -%}
    round({{ value }} / {{ step }}) * {{ step }}
{%- endmacro %}

{#- A failing check's difference is within `bound` (a multiple of its tolerance): how far it missed. -#}
{% macro difference_within(lhs, rhs, bound) -%}
    abs({{ lhs }} - {{ rhs }}) <= {{ bound }}
{%- endmacro %}
