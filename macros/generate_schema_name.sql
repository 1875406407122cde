{#- Use custom schema names as they are (`raw`, `reference`) rather than dbt's
    default `<target_schema>_<custom>`, so the raw contract is stable. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}
    {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}

{#- Staging and intermediate ask for the database `scratch` (dbt_project.yml):
    on DuckDB an attached in-memory database (profiles.yml, issue #8). A
    warehouse keeps them in the target's own database (Spark has no
    databases apart from schemas), so the request is dropped there. -#}
{% macro generate_database_name(custom_database_name=none, node=none) -%}
    {%- if target.type != 'duckdb' -%}
        {%- set custom_database_name = none -%}
    {%- endif -%}
    {{ return(adapter.dispatch('generate_database_name', 'dbt')(custom_database_name, node)) }}
{%- endmacro %}
