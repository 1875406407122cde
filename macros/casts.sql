{#- Cast text to a type, giving null (not an error) when it does not parse;
    staging turns those nulls into quarantine reasons. -#}
{% macro try_cast_to(expression, data_type) -%}
    {{ return(adapter.dispatch('try_cast_to')(expression, data_type)) }}
{%- endmacro %}

{% macro default__try_cast_to(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{% macro duckdb__try_cast_to(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro spark__try_cast_to(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{#- ISO 8601 text -> naive UTC timestamp. An offset is honoured; no offset means
    UTC (the session time zone is UTC, see profiles.yml). -#}
{% macro parse_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp')(expression)) }}
{%- endmacro %}

{% macro default__parse_utc_timestamp(expression) -%}
    cast({{ try_cast_to("nullif(trim(cast(" ~ expression ~ " as " ~ dbt.type_string() ~ ")), '')",
        "timestamp with time zone") }} at time zone 'UTC' as timestamp)
{%- endmacro %}

{#- Issue #8: parsing a time zone through ICU costs several times a plain
    timestamp cast (10M activities: ~3 s of CPU). Text in the shapes exports
    use, with no offset or a Z, means UTC either way, so it takes the plain
    cast; anything else (an offset, a zone name) takes the full parse. -#}
{% macro duckdb__parse_utc_timestamp(expression) -%}
    {%- set text = clean_text(expression) -%}
    case
        when {{ text }} like '____-__-__T__:__:__Z'
            or {{ text }} like '____-__-__T__:__:__'
            or {{ text }} like '____-__-__ __:__:__'
            then try_cast({{ text }} as timestamp)
        else cast(try_cast({{ text }} as timestamptz) at time zone 'UTC' as timestamp)
    end
{%- endmacro %}

{#- Spark's timestamp is an instant shown in the session time zone, which
    the profile sets to UTC: its cast honours an offset or a zone name in the
    text and reads text without one as UTC, which is the contract. -#}
{% macro spark__parse_utc_timestamp(expression) -%}
    try_cast({{ clean_text(expression) }} as timestamp)
{%- endmacro %}

{#- Text -> value, null when empty or unparseable. -#}
{% macro parse_value(expression, data_type) -%}
    {{ try_cast_to("nullif(trim(cast(" ~ expression ~ " as " ~ dbt.type_string() ~ ")), '')",
        data_type) }}
{%- endmacro %}

{#- Text is present but did not parse: the quarantine condition. -#}
{% macro is_unparseable(expression, parsed) -%}
    (nullif(trim(cast({{ expression }} as {{ dbt.type_string() }})), '') is not null
        and {{ parsed }} is null)
{%- endmacro %}

{#- Text with surrounding spaces removed; null when empty. -#}
{% macro clean_text(expression) -%}
    {{ return(adapter.dispatch('clean_text')(expression)) }}
{%- endmacro %}

{% macro default__clean_text(expression) -%}
    nullif(trim(cast({{ expression }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- Issue #8: trim() copies every value; ids almost never carry spaces, so
    only values that start or end with one are trimmed (same result, a third
    of the time on 10M activities). -#}
{% macro duckdb__clean_text(expression) -%}
    {%- set text = "cast(" ~ expression ~ " as varchar)" -%}
    (case when {{ text }} like ' %' or {{ text }} like '% '
        then nullif(trim({{ text }}), '') else nullif({{ text }}, '') end)
{%- endmacro %}

{#- A double-precision float. dbt.type_float() is 4-byte FLOAT on DuckDB and
    Spark, which loses cents on sums of money; PostgreSQL's float is already 8
    bytes. Integer / 3600.0 is exact numeric on PostgreSQL, not a float: cast
    to this type where the engines must agree. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    {{ dbt.type_float() }}
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{#- A text key made of several columns, '|'-separated: the primary key of a
    model whose grain is a combination (agreement and KPI, agreement and
    month, ...). Each part is cast to text, so dates and numbers work too. -#}
{% macro composite_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{% do parts.append("'|'") %}{% endif -%}
        {%- do parts.append("cast(" ~ column ~ " as " ~ dbt.type_string() ~ ")") -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
