{#- One row per agreement and local date, from the period start to well past
    its end (or the as-of date), with the business hours before that day.
    The SLA clock (macro business_clock_hours) is this running total plus the
    part of the day's business window already passed. Business days are
    Monday-Friday minus holidays; the window is the agreement's
    business_day_start..business_day_end on the local wall clock. -#}
with

agreements as (

    select * from {{ ref('int_agreements_evaluated') }}

),

holidays as (

    select * from {{ ref('stg_sla__holidays') }}

),

digits as (

    {# A number spine: 0..9999 days, 27 years. #}
    {{ digit_rows() }}

),

day_offsets as (

    select ones.digit + 10 * tens.digit + 100 * hundreds.digit
        + 1000 * thousands.digit as day_offset
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands

),

calendar_days as (

    select
        agreements.agreement_id,
        agreements.business_day_start_minute,
        agreements.business_day_end_minute,
        cast({{ dbt.dateadd('day', 'day_offsets.day_offset',
            'agreements.period_start_date') }} as date) as calendar_date
    from agreements
    cross join day_offsets
    where day_offsets.day_offset <= {{ dbt.datediff('agreements.period_start_date',
        'agreements.period_end_date', 'day') }} + {{ var('calendar_tail_days') }}
        or day_offsets.day_offset <= {{ dbt.datediff('agreements.period_start_date',
        'agreements.as_of_date', 'day') }} + {{ var('calendar_tail_days') }}

),

classified as (

    select
        calendar_days.agreement_id,
        calendar_days.calendar_date,
        calendar_days.business_day_start_minute,
        calendar_days.business_day_end_minute,
        holidays.holiday_name,
        {# ISO day of week via a known Monday, so it is the same on every engine. #}
        mod({{ dbt.datediff("cast('2001-01-01' as date)", 'calendar_days.calendar_date',
            'day') }} + 700000, 7) < 5
            and holidays.holiday_date is null as is_business_day
    from calendar_days
    left join holidays
        on calendar_days.calendar_date = holidays.holiday_date

),

final as (

    select
        {{ composite_key(['agreement_id', 'calendar_date']) }} as calendar_day_id,
        agreement_id,
        calendar_date,
        is_business_day,
        holiday_name,
        {{ dbt.dateadd('minute', 'business_day_start_minute',
            'cast(calendar_date as ' ~ dbt.type_timestamp() ~ ')') }} as business_day_start_at,
        case
            when is_business_day
                then (business_day_end_minute - business_day_start_minute) * 60
            else 0
        end as business_seconds_in_day,
        coalesce(sum(
            case
                when is_business_day
                    then (business_day_end_minute - business_day_start_minute) * 60
                else 0
            end
        ) over (
            partition by agreement_id
            order by calendar_date
            rows between unbounded preceding and 1 preceding
        ), 0) / cast(3600 as {{ type_double() }}) as business_hours_before
    from classified

)

select * from final
