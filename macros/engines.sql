{#- Issue #13: the few places where DuckDB, PostgreSQL and Spark spell the
    same thing differently. Each macro has one implementation per engine
    (adapter.dispatch); models and tests call only these names, so the same
    SQL runs on every engine. The dbt unit tests exercise them on each. -#}

{#- True when the whole text matches a regular expression. Patterns use
    classes like [0-9] rather than \d: Spark reads a backslash in a string
    literal as an escape. -#}
{% macro regex_full_match(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_full_match')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_full_match(expression, pattern) -%}
    ({{ expression }} ~ '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro duckdb__regex_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_full_match(expression, pattern) -%}
    ({{ expression }} rlike '^(?:{{ pattern }})$')
{%- endmacro %}

{#- A column name as an identifier, whatever it contains. Spark reads
    "double quotes" as a string literal: every row would get the name. -#}
{% macro quoted_identifier(name) -%}
    {{ return(adapter.dispatch('quoted_identifier')(name)) }}
{%- endmacro %}

{% macro default__quoted_identifier(name) -%}
    "{{ name | replace('"', '""') }}"
{%- endmacro %}

{% macro spark__quoted_identifier(name) -%}
    `{{ name | replace('`', '``') }}`
{%- endmacro %}

{#- A text expression that names a known IANA time zone. -#}
{% macro is_known_time_zone(expression) -%}
    {{ return(adapter.dispatch('is_known_time_zone')(expression)) }}
{%- endmacro %}

{% macro default__is_known_time_zone(expression) -%}
    ({{ expression }} in (select name from pg_timezone_names()))
{%- endmacro %}

{#- Spark has no catalog of zones: the names dbt's own pytz knows. -#}
{% macro spark__is_known_time_zone(expression) -%}
    ({{ expression }} in {{ text_list(modules.pytz.all_timezones) }})
{%- endmacro %}

{#- Epoch milliseconds (bigint) -> naive UTC timestamp. -#}
{% macro timestamp_from_epoch_ms(expression) -%}
    {{ return(adapter.dispatch('timestamp_from_epoch_ms')(expression)) }}
{%- endmacro %}

{% macro default__timestamp_from_epoch_ms(expression) -%}
    cast(to_timestamp({{ expression }} / 1000.0) at time zone 'UTC' as timestamp)
{%- endmacro %}

{% macro duckdb__timestamp_from_epoch_ms(expression) -%}
    epoch_ms({{ expression }})
{%- endmacro %}

{% macro spark__timestamp_from_epoch_ms(expression) -%}
    timestamp_millis({{ expression }})
{%- endmacro %}

{#- A naive timestamp as ISO 8601 text with milliseconds and a Z. -#}
{% macro iso_utc_text(expression) -%}
    {{ return(adapter.dispatch('iso_utc_text')(expression)) }}
{%- endmacro %}

{% macro default__iso_utc_text(expression) -%}
    to_char({{ expression }}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
{%- endmacro %}

{% macro duckdb__iso_utc_text(expression) -%}
    strftime({{ expression }}, '%Y-%m-%dT%H:%M:%S.%gZ')
{%- endmacro %}

{% macro spark__iso_utc_text(expression) -%}
    date_format({{ expression }}, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
{%- endmacro %}

{#- dbt.datediff gives a bigint on DuckDB but an integer on PostgreSQL and
    Spark; the report contracts declare day counts as bigint. dbt_project.yml
    puts this project first in the dbt namespace's dispatch search order, so
    these wrap the adapters' own implementations. -#}
{% macro postgres__datediff(first_date, second_date, datepart) -%}
    cast({{ dbt.postgres__datediff(first_date, second_date, datepart) }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro spark__datediff(first_date, second_date, datepart) -%}
    cast({{ dbt.spark__datediff(first_date, second_date, datepart) }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{#- dbt-spark's `session` method pastes seed values into its INSERT without
    escaping them, so a holiday named "New Year's Day" breaks the statement.
    This writes each value as an escaped Spark string literal, cast to the
    column's type. -#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- set column_name = agate_table.column_names[loop.index0] -%}
                    {%- set data_type = column_override.get(column_name,
                        adapter.convert_type(agate_table, loop.index0)) -%}
                    {%- if value is none -%}
                        cast(null as {{ data_type }})
                    {%- else -%}
                        cast('{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ data_type }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}

{#- One row per part of a separated text (a select-list expression). -#}
{% macro split_to_rows(expression, separator) -%}
    {{ return(adapter.dispatch('split_to_rows')(expression, separator)) }}
{%- endmacro %}

{% macro default__split_to_rows(expression, separator) -%}
    unnest(string_to_array({{ expression }}, {{ separator }}))
{%- endmacro %}

{#- split() takes a regular expression; the separators used here (chr(30))
    are not special in one. -#}
{% macro spark__split_to_rows(expression, separator) -%}
    explode(split({{ expression }}, {{ separator }}))
{%- endmacro %}

{#- Issue #24: does the text hold a match of the pattern anywhere; and every
    match replaced. Patterns avoid backslashes (Spark's string literals
    would read them as escapes): `[.]`, `[+]`, `[0-9]`. -#}
{% macro regex_contains(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_contains')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_contains(expression, pattern) -%}
    ({{ expression }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__regex_contains(expression, pattern) -%}
    regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_contains(expression, pattern) -%}
    ({{ expression }} rlike '{{ pattern }}')
{%- endmacro %}

{% macro regex_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{#- The texts of a group joined by a separator, sorted by the text itself,
    so every engine writes the same list (issue #19: the revenue lines a
    warning names). dbt's listagg cannot order on Spark. -#}
{% macro sorted_text_agg(expression, separator) -%}
    {{ return(adapter.dispatch('sorted_text_agg')(expression, separator)) }}
{%- endmacro %}

{% macro default__sorted_text_agg(expression, separator) -%}
    string_agg({{ expression }}, '{{ separator }}' order by {{ expression }})
{%- endmacro %}

{% macro spark__sorted_text_agg(expression, separator) -%}
    array_join(array_sort(collect_list({{ expression }})), '{{ separator }}')
{%- endmacro %}

{#- A post-hook of every model (dbt_project.yml): table statistics where the
    engine's planner needs them. PostgreSQL has none for a table dbt has just
    created until autovacuum gets to it, so it guessed one row per table and
    joined the demo's MQLs to their touches by nested loops: 27 million row
    comparisons and 7 s for 2,000 MQLs (it would never end on a real CRM).
    DuckDB keeps its statistics as it writes; Spark's planner does not use
    them unless asked (spark.sql.cbo.enabled). An empty hook runs nothing. -#}
{% macro analyze_table(relation) -%}
    {{ return(adapter.dispatch('analyze_table')(relation)) }}
{%- endmacro %}

{% macro default__analyze_table(relation) -%}
{%- endmacro %}

{% macro postgres__analyze_table(relation) -%}
    analyze {{ relation }}
{%- endmacro %}
