{#- Use custom schema names as they are (`raw`, `reference`) rather than dbt's
    default `<target_schema>_<custom>`, so the raw contract is stable. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}
    {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}

{#- Staging and intermediate ask for the database `scratch` (dbt_project.yml):
    on DuckDB an attached database file of their own (profiles.yml, issues
    #8 and #23). A
    warehouse keeps them in the target's own database (Spark has no
    databases apart from schemas), and so does a DuckDB profile that attaches
    no `scratch` (a team's own project that installs sla_report as a dbt
    package, issue #22), so the request is dropped there. dbt calls a
    package's own generate_*_name macros for the package's nodes. -#}
{% macro generate_database_name(custom_database_name=none, node=none) -%}
    {%- set attached = [] -%}
    {%- for attachment in target.get('attach') or [] -%}
        {%- do attached.append(attachment.alias) -%}
    {%- endfor -%}
    {%- if target.type != 'duckdb' or custom_database_name not in attached -%}
        {%- set custom_database_name = none -%}
    {%- endif -%}
    {{ return(adapter.dispatch('generate_database_name', 'dbt')(custom_database_name, node)) }}
{%- endmacro %}
