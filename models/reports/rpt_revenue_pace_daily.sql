{#- New-business revenue to date against a straight pace line to the goal,
    one row per agreement and local day of its period. -#}
with

agreements as (

    select * from {{ ref('dim_agreements') }}

),

calendar as (

    select * from {{ ref('int_business_calendar') }}

),

revenue as (

    select * from {{ ref('int_revenue_validated') }}
    where rejection_reason is null
        and revenue_type = 'new_business'

),

period_days as (

    select
        agreements.agreement_id,
        agreements.revenue_goal,
        agreements.period_days,
        agreements.evaluated_through_date,
        calendar.calendar_date,
        {{ dbt.datediff('agreements.period_start_date', 'calendar.calendar_date', 'day') }}
            + 1 as day_number
    from agreements
    inner join calendar
        on agreements.agreement_id = calendar.agreement_id
        and agreements.period_end_date >= calendar.calendar_date

),

booked_per_day as (

    select
        booked_date,
        cast(sum(amount) as {{ type_double() }}) as booked_revenue
    from revenue
    group by booked_date

),

final as (

    select
        {{ composite_key(['period_days.agreement_id', 'period_days.calendar_date']) }}
            as revenue_day_id,
        period_days.agreement_id,
        period_days.calendar_date,
        period_days.day_number,
        case
            when period_days.calendar_date <= period_days.evaluated_through_date
                then coalesce(booked_per_day.booked_revenue, 0)
        end as booked_revenue,
        case
            when period_days.calendar_date <= period_days.evaluated_through_date
                then sum(coalesce(booked_per_day.booked_revenue, 0)) over (
                    partition by period_days.agreement_id
                    order by period_days.calendar_date
                    rows between unbounded preceding and current row
                )
        end as cumulative_revenue,
        period_days.revenue_goal * period_days.day_number / period_days.period_days
            as pace_revenue
    from period_days
    left join booked_per_day
        on period_days.calendar_date = booked_per_day.booked_date

)

select * from final
