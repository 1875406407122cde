{#- Continuous percentile (interpolated), as SQL:2003 percentile_cont. The
    ordered-set syntax runs on PostgreSQL, DuckDB and Spark 3.3+. -#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{#- A ratio that is null (not an error, not zero) when the denominator is 0. -#}
{% macro safe_ratio(numerator, denominator) -%}
    (cast({{ numerator }} as {{ type_double() }}) / nullif({{ denominator }}, 0))
{%- endmacro %}

{#- How many rows meet a condition, as a bigint on every engine. -#}
{% macro count_where(condition) -%}
    cast(sum(case when {{ condition }} then 1 else 0 end) as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- ceil(numerator / denominator) for the reverse funnel. Float division
    overshoots exact quotients (21 / 0.7 = 30.000000000000004, so a plain
    ceiling gives 31) and the extra unit compounds up the funnel: round to 6
    decimals first. -#}
{% macro ceiling_of_ratio(numerator, denominator) -%}
    ceiling({{ round_double('cast(' ~ numerator ~ ' as ' ~ type_double() ~ ') / ' ~ denominator, 6) }})
{%- endmacro %}

{#- A float rounded to some decimals, still a float. PostgreSQL rounds to
    decimals only on numeric. -#}
{% macro round_double(expression, digits) -%}
    {{ return(adapter.dispatch('round_double')(expression, digits)) }}
{%- endmacro %}

{% macro default__round_double(expression, digits) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}

{% macro postgres__round_double(expression, digits) -%}
    cast(round(cast({{ expression }} as numeric), {{ digits }}) as {{ type_double() }})
{%- endmacro %}
