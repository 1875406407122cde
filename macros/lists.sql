{#- Issue #22: SQL over the project's single lists (dbt_project.yml vars
    acquisition_channels and overdue_age_buckets), so no model spells a
    list out again. The YAML tests read the same vars. -#}

{#- True when the expression is one of the contract's acquisition channels. -#}
{% macro is_known_channel(expression) -%}
    {{ expression }} in {{ text_list(var('acquisition_channels')) }}
{%- endmacro %}

{#- The overdue age bucket's label (field 'label') or its order, 1 = youngest
    (field 'order'), of a number of days since the MQL. -#}
{% macro overdue_age_bucket(days_expression, field='label') -%}
    {%- set buckets = var('overdue_age_buckets') -%}
    case
    {%- for bucket in buckets %}
        {%- set value = loop.index if field == 'order'
            else "'" ~ (bucket.label | replace("'", "''")) ~ "'" %}
        {%- if bucket.max_days is none %}
        else {{ value }}
        {%- else %}
        when {{ days_expression }} <= {{ bucket.max_days }} then {{ value }}
        {%- endif %}
    {%- endfor %}
    end
{%- endmacro %}

{#- One row per overdue age bucket: its order and label, as a union of selects. -#}
{% macro overdue_age_bucket_rows() -%}
    {%- for bucket in var('overdue_age_buckets') %}
    select
        cast({{ loop.index }} as {{ dbt.type_int() }}) as age_bucket_order,
        '{{ bucket.label | replace("'", "''") }}' as age_bucket
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
