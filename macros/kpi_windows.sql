{#- KPI models compute every KPI twice in one pass: for the whole period and
    for each calendar month of it. ROLLUP(agreement, month) gives exactly
    those rows plus a grand total, dropped by HAVING (the same as GROUPING SETS
    ((agreement), (agreement, month)), which SQLFluff's DuckDB grammar cannot
    parse; PostgreSQL, DuckDB and Spark all have ROLLUP). Rates and
    percentiles are therefore computed for each window, never summed from
    months. The period row has a null month; the window key ('period' or the
    month's first day) joins rows null-safely. -#}
{% macro group_by_kpi_windows() -%}
    group by rollup(agreement_id, month_start_date)
    having agreement_id is not null
{%- endmacro %}

{% macro kpi_window_key(month_start_date='month_start_date') -%}
    coalesce(cast({{ month_start_date }} as {{ dbt.type_string() }}), 'period')
{%- endmacro %}

{#- The local calendar month of a UTC event in an agreement's time zone. -#}
{% macro local_month(utc_timestamp, agreements='agreements') -%}
    cast({{ dbt.date_trunc('month', local_date(utc_timestamp, agreements ~ '.time_zone')) }}
        as date)
{%- endmacro %}
