{#- `sla-report load` (issue #13): the raw schema the files are loaded into,
    created through the target's own adapter. The CLI then bulk loads each
    table (generator/load.py). -#}
{% macro create_raw_schemas(schema_names) -%}
    {#- Spark has no databases apart from schemas: its relations take none. -#}
    {%- set database = none if target.type in ('spark', 'databricks') else target.database -%}
    {%- for schema_name in schema_names -%}
        {%- do adapter.create_schema(api.Relation.create(database=database,
            schema=schema_name)) -%}
    {%- endfor -%}
{%- endmacro %}
