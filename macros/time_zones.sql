{#- UTC timestamp -> wall-clock timestamp in an IANA time zone. The Postgres
    form (`at time zone` twice) also runs on DuckDB (ICU); Spark differs. -#}
{% macro to_local_timestamp(utc_timestamp, time_zone) -%}
    {{ return(adapter.dispatch('to_local_timestamp')(utc_timestamp, time_zone)) }}
{%- endmacro %}

{% macro default__to_local_timestamp(utc_timestamp, time_zone) -%}
    (({{ utc_timestamp }} at time zone 'UTC') at time zone {{ time_zone }})
{%- endmacro %}

{% macro spark__to_local_timestamp(utc_timestamp, time_zone) -%}
    from_utc_timestamp({{ utc_timestamp }}, {{ time_zone }})
{%- endmacro %}

{#- Wall-clock timestamp in a time zone -> UTC timestamp. -#}
{% macro to_utc_timestamp(local_timestamp, time_zone) -%}
    {{ return(adapter.dispatch('to_utc_timestamp')(local_timestamp, time_zone)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(local_timestamp, time_zone) -%}
    (({{ local_timestamp }} at time zone {{ time_zone }}) at time zone 'UTC')
{%- endmacro %}

{% macro spark__to_utc_timestamp(local_timestamp, time_zone) -%}
    to_utc_timestamp({{ local_timestamp }}, {{ time_zone }})
{%- endmacro %}

{#- The local calendar date of a UTC timestamp: how events are assigned to an
    agreement period (issue #2: "by its local date in the agreement's timezone"). -#}
{% macro local_date(utc_timestamp, time_zone) -%}
    cast({{ to_local_timestamp(utc_timestamp, time_zone) }} as date)
{%- endmacro %}
