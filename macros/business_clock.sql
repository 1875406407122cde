{#- Business hours on the clock at a local wall-clock time.

    `calendar` is an alias of int_business_calendar joined on the timestamp's
    local date. The clock is the business hours of all earlier business days
    of the calendar plus the part of this day's business window already
    passed, so "business hours between a and b" is clock(b) - clock(a): no
    per-day loop, one join per timestamp. Business windows are wall-clock
    times, so a daylight-saving change never shortens or stretches a day. -#}
{% macro business_clock_hours(calendar, local_timestamp) -%}
    ({{ calendar }}.business_hours_before + case
        when {{ calendar }}.is_business_day then
            least(
                greatest(
                    {{ dbt.datediff(calendar ~ '.business_day_start_at', local_timestamp, 'second') }},
                    0
                ),
                {{ calendar }}.business_seconds_in_day
            ) / cast(3600 as {{ type_double() }})
        else 0
    end)
{%- endmacro %}
