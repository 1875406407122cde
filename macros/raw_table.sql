{#- The raw-source layer: the only place that knows where raw rows live.

    By default a raw table is the `raw` source (the demo seeds, or tables a
    loader wrote; the raw_database and raw_schema vars say where). When the
    CLI passes `raw_files` (sla-report build --data DIR) the same staging
    models read the files directly, with every column as text, so staging
    does all typing and can quarantine unparseable values. The source() call
    is made in both cases so lineage and docs stay whole. A project that
    installs sla_report as a dbt package (issue #22) can name a model of its
    own for any table instead (the input_models var). -#}
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
    {%- elif table_name in var('raw_files', {}) or table_name in var('input_models', {})
            or load_source_data() -%}
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
    {%- set files = var('raw_files', {}) -%}
    {%- set models = var('input_models', {}) -%}
    {%- if table_name in models and source_name in ('crm', 'web') -%}
        {#- The team's own model of the contract table (issue #22). -#}
        {{ ref(models[table_name]) }}
    {%- elif table_name in files -%}
        {%- do source(source_name, table_name) -%}
        {{ read_raw_file(files[table_name]) }}
    {%- elif load_source_data() and source_name in ('crm', 'web') -%}
        {#- The demo seeds fill the raw schema: ref() the seed (the same
            relation) so dbt builds it before the staging model. Other
            CRMs' tables are never demo seeds (issue #9). -#}
        {%- do source(source_name, table_name) -%}
        {{ ref(table_name) }}
    {%- else -%}
        {{ source(source_name, table_name) }}
    {%- endif -%}
{%- endmacro %}

{#- Whether the demo's raw seeds are built and read: in this project itself,
    never in a project that installs it as a package, unless the
    load_source_data var says so (seeds/raw/_raw__seeds.yml, issue #22). -#}
{% macro load_source_data() -%}
    {{ return(var('load_source_data', project_name == 'sla_report')) }}
{%- endmacro %}

{#- A reference table (the agreement, its targets, the holidays): the seed
    in seeds/reference, or the model or seed input_models names for it. -#}
{% macro reference_table(table_name) -%}
    {{ ref(var('input_models', {}).get(table_name, table_name)) }}
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
