{#- Helpers for the source-specific staging models (issue #9): each CRM's
    raw tables are turned into the raw contract the stg_crm__ models read. -#}

{#- The header of a source column as this export spells it. The CLI finds it
    before dbt runs (generator/sources.py: API name, upper case, Fivetran
    snake_case) and passes it in the `source_columns` var; an optional column
    the export lacks is null. Without the var (a warehouse the CLI did not
    inspect) the column is read by the staging name. -#}
{% macro source_column(table_name, name) -%}
    {%- set tables = var('source_columns', {}) -%}
    {%- if table_name in tables -%}
        {%- set column = tables[table_name].get(name) -%}
    {%- else -%}
        {%- set column = name -%}
    {%- endif -%}
    {%- if column -%}
        {{ quoted_identifier(column) }}
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{#- An org setting from the `source_settings` var (crm_source.yml). -#}
{% macro source_setting(name, default=none) -%}
    {{ return(var('source_settings', {}).get(name, default)) }}
{%- endmacro %}

{#- A SQL list of text literals: ('a', 'b'); ('') when empty, which matches nothing. -#}
{% macro text_list(values) -%}
    (
    {%- for value in values or [''] -%}
        '{{ value | string | replace("'", "''") }}'{% if not loop.last %}, {% endif %}
    {%- endfor -%}
    )
{%- endmacro %}

{#- A CRM picklist value -> our value by an org mapping (crm_source.yml);
    a value not in the mapping passes lower-cased, so staging flags it. -#}
{% macro mapped_value(expression, mapping) -%}
    case {{ clean_text(expression) }}
    {%- for crm_value, value in (mapping or {}).items() %}
        when '{{ crm_value | replace("'", "''") }}' then '{{ value }}'
    {%- endfor %}
        else lower({{ clean_text(expression) }})
    end
{%- endmacro %}

{#- A CRM date or timestamp as the contract's ISO text. Three shapes arrive:
    - a timestamp (ISO 8601, with or without offset): passed as it is;
    - a date without time (Salesforce ConvertedDate, CloseDate): taken at
      12:00 UTC, which is the same calendar day in every agreement time zone
      from UTC-11 to UTC+11 (midnight UTC would be the day before in the
      Americas and move month-end conversions into the wrong month);
    - epoch milliseconds (HubSpot's API and some HubSpot exports). -#}
{% macro crm_timestamp_text(expression) -%}
    case
        when {{ regex_full_match(clean_text(expression), '[0-9]{4}-[0-9]{2}-[0-9]{2}') }}
            then {{ clean_text(expression) }} || 'T12:00:00Z'
        when {{ regex_full_match(clean_text(expression), '[0-9]{12,13}') }}
            then {{ iso_utc_text(timestamp_from_epoch_ms(
                'cast(' ~ clean_text(expression) ~ ' as bigint)')) }}
        else {{ clean_text(expression) }}
    end
{%- endmacro %}

{#- A CRM date or timestamp as the contract's date text (YYYY-MM-DD). -#}
{% macro crm_date_text(expression) -%}
    case
        when {{ regex_full_match(clean_text(expression), '[0-9]{12,13}') }}
            then left({{ iso_utc_text(timestamp_from_epoch_ms(
                'cast(' ~ clean_text(expression) ~ ' as bigint)')) }}, 10)
        else left({{ clean_text(expression) }}, 10)
    end
{%- endmacro %}
