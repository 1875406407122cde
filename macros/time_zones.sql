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

{#- Issue #23: wall-clock time for many rows at once (a touch per activity
    of an MQL: 6M rows at 1M leads), where ICU's conversion per row was most
    of int_mqls_joined_to_touches. utc_offset_days gives, for each time zone
    of `time_zones` (columns time_zone, first_at, last_at: UTC), every UTC
    day between with one UTC offset all day long (utc_offset_us); a day with
    a daylight-saving or other change is left out. local_timestamp_by_offset
    adds the day's offset, and converts a timestamp of a left-out day, or
    one outside the range, the usual way, so every result is exactly
    to_local_timestamp's. Only DuckDB builds the calendar: elsewhere it is
    empty and every row takes the usual path. -#}
{% macro utc_offset_days(time_zones) -%}
    {{ return(adapter.dispatch('utc_offset_days')(time_zones)) }}
{%- endmacro %}

{% macro default__utc_offset_days(time_zones) -%}
    select
        cast(null as {{ dbt.type_string() }}) as time_zone,
        cast(null as date) as utc_date,
        cast(null as {{ dbt.type_bigint() }}) as utc_offset_us
    where 1 = 0
{%- endmacro %}

{% macro duckdb__utc_offset_days(time_zones) -%}
    {#- The offset on every hour of a day and at the next midnight: a day
        whose 25 samples agree has no change (changes are hours apart). -#}
    select time_zone, utc_date, min(utc_offset_us) as utc_offset_us
    from (
        select
            time_zone,
            {# A midnight sample also ends the day before. #}
            unnest(case
                when hour_at = date_trunc('day', hour_at)
                    then [cast(hour_at as date), cast(hour_at as date) - 1]
                else [cast(hour_at as date)]
            end) as utc_date,
            epoch_us({{ to_local_timestamp('hour_at', 'time_zone') }}) - epoch_us(hour_at)
                as utc_offset_us
        from (
            select
                time_zone,
                unnest(generate_series(
                    cast(cast(first_at as date) - 2 as timestamp),
                    cast(cast(last_at as date) + 3 as timestamp),
                    interval 1 hour)) as hour_at
            from {{ time_zones }}
        ) as hours
    ) as samples
    group by time_zone, utc_date
    having count(*) = 25 and min(utc_offset_us) = max(utc_offset_us)
{%- endmacro %}

{% macro local_timestamp_by_offset(utc_timestamp, time_zone, offset_day) -%}
    {{ return(adapter.dispatch('local_timestamp_by_offset')(utc_timestamp, time_zone,
        offset_day)) }}
{%- endmacro %}

{% macro default__local_timestamp_by_offset(utc_timestamp, time_zone, offset_day) -%}
    {{ to_local_timestamp(utc_timestamp, time_zone) }}
{%- endmacro %}

{% macro duckdb__local_timestamp_by_offset(utc_timestamp, time_zone, offset_day) -%}
    case
        when {{ offset_day }}.utc_offset_us is not null
            then {{ utc_timestamp }} + to_microseconds({{ offset_day }}.utc_offset_us)
        else {{ to_local_timestamp(utc_timestamp, time_zone) }}
    end
{%- endmacro %}
