{#- `sla-report load` (issue #13): the raw schema the files are loaded into,
    created through the target's own adapter. The CLI then bulk loads each
    table (generator/load.py). -#}
{% macro create_raw_schema(schema_name) -%}
    {#- Spark has no databases apart from schemas: its relations take none. -#}
    {%- set database = none if target.type in ('spark', 'databricks') else target.database -%}
    {%- set relation = api.Relation.create(database=database, schema=schema_name) -%}
    {%- do adapter.create_schema(relation) -%}
    {%- do log("raw schema " ~ schema_name ~ " ready on " ~ target.name, info=false) -%}
{%- endmacro %}
