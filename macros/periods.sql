{#- Join condition: a UTC event falls in an agreement's evaluated window, by
    its local date in the agreement's time zone (issue #2). The window runs
    from the period start to the earlier of the period end and the as-of date,
    so later rows are ignored and a build is reproducible.

    Issue #23: converting every event to every agreement's local time (a
    nested-loop join: 17 evaluations x 1M leads at 1M) was most of the marts'
    time. A UTC offset is less than a day, so an event more than a day inside
    the window in UTC is inside it locally, and one outside the window
    widened by a day either side is outside: the engine joins on those UTC
    bounds, and converts only the events within a day of an edge. The result
    is the local-date test's, daylight-saving changes included. -#}
{% macro in_agreement_window(utc_timestamp, agreements='agreements') -%}
    {%- set start_at = 'cast(' ~ agreements ~ '.period_start_date as '
        ~ dbt.type_timestamp() ~ ')' -%}
    {%- set through_at = 'cast(' ~ agreements ~ '.evaluated_through_date as '
        ~ dbt.type_timestamp() ~ ')' -%}
    ({{ utc_timestamp }} >= {{ dbt.dateadd('day', -1, start_at) }}
        and {{ utc_timestamp }} < {{ dbt.dateadd('day', 2, through_at) }}
        and (
            ({{ utc_timestamp }} >= {{ dbt.dateadd('day', 1, start_at) }}
                and {{ utc_timestamp }} < {{ through_at }})
            or {{ local_date(utc_timestamp, agreements ~ '.time_zone') }}
                between {{ agreements }}.period_start_date
                and {{ agreements }}.evaluated_through_date
        ))
{%- endmacro %}

{#- The same for a value that is already a local date (revenue, sessions). -#}
{% macro date_in_agreement_window(local_date_expression, agreements='agreements') -%}
    {{ local_date_expression }}
        between {{ agreements }}.period_start_date and {{ agreements }}.evaluated_through_date
{%- endmacro %}

{#- The digits 0..9 as rows (`digit`): cross joined, a portable number spine
    without generate_series, which PostgreSQL and DuckDB spell differently
    (int_business_calendar's days, int_kpi_evaluations' weeks). -#}
{% macro digit_rows() -%}
    {%- for digit in range(10) %}
    select {{ digit }} as digit
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
