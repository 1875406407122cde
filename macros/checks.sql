{#- The parts of the `checks` data test (data-tests/generic/checks.sql, issue #23). -#}

{#- The check's name: its kind and column (or expression), then its filter. -#}
{% macro check_name(check) -%}
    {%- if check.name -%}
        {%- set name = check.name -%}
    {%- elif 'relationships' in check -%}
        {%- set to = check.to.identifier if check.to.identifier is defined
            else (check.to | string).split('.')[-1] | replace('"', '') | replace('`', '') -%}
        {%- set name = 'relationships(' ~ check.relationships ~ ' -> ' ~ to ~ '.' ~ check.field ~ ')' -%}
    {%- else -%}
        {%- set kind = check_kind(check) -%}
        {%- set name = kind ~ '(' ~ ((check[kind] | string).split() | join(' ')) ~ ')' -%}
    {%- endif -%}
    {%- if check.where -%}
        {%- set name = name ~ ' where ' ~ ((check.where | string).split() | join(' ')) -%}
    {%- endif -%}
    {{ return(name) }}
{%- endmacro %}

{% macro check_kind(check) -%}
    {%- for kind in ['not_null', 'unique', 'accepted_values', 'relationships',
            'expression_is_true'] if kind in check -%}
        {{ return(kind) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "checks: a check needs one of not_null, unique, accepted_values, relationships "
        ~ "or expression_is_true: " ~ check) }}
{%- endmacro %}

{#- A column check as one aggregate over the model's rows. -#}
{% macro check_failing_rows(check) -%}
    {%- set kind = check_kind(check) -%}
    {%- set column = check[kind] -%}
    {%- set kept = '(' ~ check.where ~ ')' if check.where else 'true' -%}
    {%- if kind == 'not_null' -%}
        sum(case when {{ kept }} and {{ column }} is null then 1 else 0 end)
    {%- elif kind == 'unique' -%}
        count(case when {{ kept }} then {{ column }} end)
        - count(distinct case when {{ kept }} then {{ column }} end)
    {%- else -%}
        {%- if check['values'] is none or check['values'] | length == 0 -%}
            {{ exceptions.raise_compiler_error("checks: accepted_values of " ~ column
                ~ " needs a list of values") }}
        {%- endif -%}
        sum(case when {{ kept }} and {{ column }} not in (
            {%- for value in check['values'] -%}
                {{ text_literal(value) }}{% if not loop.last %}, {% endif %}
            {%- endfor -%}
        ) then 1 else 0 end)
    {%- endif -%}
{%- endmacro %}

{#- A relationship or an expression as its own scalar subquery: a join to
    another table, or an expression that may hold a correlated subquery,
    which Spark allows only in a filter. -#}
{% macro check_failing_rows_query(model, check) -%}
    {%- set kind = check_kind(check) -%}
    {%- if kind == 'relationships' -%}
        (select count(*)
        from {{ model }} as child
        left join (select distinct {{ check.field }} as to_field from {{ check.to }}) as parent
            on child.{{ check.relationships }} = parent.to_field
        where child.{{ check.relationships }} is not null
            and parent.to_field is null
            {%- if check.where %} and ({{ check.where }}){% endif %})
    {%- else -%}
        (select count(*)
        from {{ model }}
        where not ({{ check.expression_is_true }})
            {%- if check.where %} and ({{ check.where }}){% endif %})
    {%- endif -%}
{%- endmacro %}
