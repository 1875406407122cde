{#- The calendar months of each agreement period, clipped to the period, with
    how many of their days fall in it and whether the as-of day has passed
    them: the grain of month-by-month targets and actuals. -#}
with

agreements as (

    select * from {{ ref('int_agreements_evaluated') }}

),

calendar as (

    select * from {{ ref('int_business_calendar') }}

),

period_days as (

    select
        calendar.agreement_id,
        calendar.calendar_date,
        calendar.is_business_day,
        cast({{ dbt.date_trunc('month', 'calendar.calendar_date') }} as date)
            as month_start_date,
        agreements.as_of_date
    from calendar
    inner join agreements
        on calendar.agreement_id = agreements.agreement_id
        and calendar.calendar_date between agreements.period_start_date
            and agreements.period_end_date

),

months as (

    select
        agreement_id,
        month_start_date,
        min(calendar_date) as first_day_in_period,
        max(calendar_date) as last_day_in_period,
        count(*) as days_in_period,
        {{ count_where("is_business_day") }} as business_days_in_period,
        {{ count_where("calendar_date <= as_of_date") }} as days_elapsed
    from period_days
    group by agreement_id, month_start_date

),

final as (

    select
        {{ composite_key(['agreement_id', 'month_start_date']) }} as agreement_month_id,
        agreement_id,
        month_start_date,
        first_day_in_period,
        last_day_in_period,
        days_in_period,
        business_days_in_period,
        days_elapsed,
        row_number() over (partition by agreement_id order by month_start_date)
            as month_number,
        case
            when days_elapsed = days_in_period then 'finished'
            when days_elapsed > 0 then 'current'
            else 'upcoming'
        end as month_state
    from months

)

select * from final
