{#- The raw-source layer: the only place that knows where raw rows live.

    By default a raw table is the `raw` source (the demo seeds, or tables a
    loader wrote). When the CLI passes `raw_files` (sla-report build --data DIR)
    the same staging models read the files directly, with every column as
    text, so staging does all typing and can quarantine unparseable values.
    The source() call is made in both cases so lineage and docs stay whole. -#}
{% macro raw_table(source_name, table_name) -%}
    {%- set crm_source = var('crm_source', 'contract') -%}
    {%- if source_name == 'crm' and crm_source != 'contract' -%}
        {#- Issue #9: another CRM's base models (models/staging/<source>/base/,
            base_<source>__<table>) turn its tables into this contract table;
            the crm source is disabled then, so lineage shows the system in
            use. Base, not staging (issue #22): staging never reads staging. -#}
        {{ ref('base_' ~ crm_source ~ '__' ~ table_name) }}
    {%- else -%}
        {{ raw_relation(source_name, table_name) }}
    {%- endif -%}
{%- endmacro %}

{#- An optional raw table (issue #19: lead_owner_history, Salesforce's
    LeadHistory, HubSpot's contact property history): read like any raw
    table when it is there. The CLI gives a data folder without the file a
    header-only stand-in (generator/config.py); on a warehouse a table that
    does not exist reads as no rows with the given columns. -#}
{% macro optional_raw_table(source_name, table_name, columns) -%}
    {%- set crm_source = var('crm_source', 'contract') -%}
    {%- if source_name == 'crm' and crm_source != 'contract' -%}
        {{ ref('base_' ~ crm_source ~ '__' ~ table_name) }}
    {%- elif table_name in var('raw_files', {}) or var('load_source_data', true) -%}
        {{ raw_relation(source_name, table_name) }}
    {%- else -%}
        {%- set relation = source(source_name, table_name) -%}
        {%- if execute and adapter.get_relation(database=relation.database,
                schema=relation.schema, identifier=relation.identifier) is none -%}
            (select
            {%- for column in columns %}
                cast(null as {{ dbt.type_string() }}) as {{ column }}
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
            where 1 = 0)
        {%- else -%}
            {{ relation }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro raw_relation(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set files = var('raw_files', {}) -%}
    {%- if table_name in files -%}
        {{ read_raw_file(files[table_name]) }}
    {%- elif var('load_source_data', true) and source_name in ('crm', 'web') -%}
        {#- The demo seeds fill the raw schema: ref() the seed (the same
            relation) so dbt builds it before the staging model. Other
            CRMs' tables are never demo seeds (issue #9). -#}
        {{ ref(table_name) }}
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{% macro read_raw_file(path) -%}
    {{ return(adapter.dispatch('read_raw_file')(path)) }}
{%- endmacro %}

{% macro default__read_raw_file(path) -%}
    {{ exceptions.raise_compiler_error(
        "Reading raw files directly needs DuckDB; load the files into the raw schema on "
        ~ target.type) }}
{%- endmacro %}

{% macro duckdb__read_raw_file(path) -%}
    {%- set quoted = "'" ~ (path | replace("'", "''")) ~ "'" -%}
    {%- if path.endswith('.parquet') -%}
        (select * from read_parquet({{ quoted }}))
    {%- else -%}
        {#- The CLI hands over a clean copy (generator/raw_input.py): UTF-8,
            comma-delimited, every field quoted, so nothing is left to sniff.
            all_varchar: typing happens in staging, where bad values are
            nulled or quarantined with a reason instead of failing the read. -#}
        (select * from read_csv({{ quoted }}, header = true, all_varchar = true,
            delim = ',', quote = '"', escape = '"', max_line_size = 1000000000))
    {%- endif -%}
{%- endmacro %}
