{#- Use custom schema names as they are (`raw`, `reference`) rather than dbt's
    default `<target_schema>_<custom>`, so the raw contract is stable. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}
    {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
