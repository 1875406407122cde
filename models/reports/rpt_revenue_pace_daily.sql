{#- New-business revenue to date against the pace curve of the revenue
    target (the same curve as the scorecard: each month's target, phased by
    business days or explicit, spread evenly over the month's days), one row
    per agreement and local day of its period. -#}
with

agreements as (

    select * from {{ ref('dim_agreements') }}

),

calendar as (

    select * from {{ ref('int_business_calendar') }}

),

months as (

    select * from {{ ref('int_agreement_months') }}

),

revenue_month_targets as (

    select * from {{ ref('fct_kpi_monthly_targets') }}
    where kpi_id = 'new_revenue'

),

month_curve as (

    select
        months.agreement_id,
        months.month_start_date,
        months.first_day_in_period,
        months.days_in_period,
        revenue_month_targets.month_target,
        coalesce(sum(revenue_month_targets.month_target) over (
            partition by months.agreement_id
            order by months.month_start_date
            rows between unbounded preceding and 1 preceding
        ), 0) as target_before_month
    from months
    inner join revenue_month_targets
        on months.agreement_id = revenue_month_targets.agreement_id
        and months.month_start_date = revenue_month_targets.month_start_date

),

revenue as (

    select * from {{ ref('int_revenue_validated') }}
    where quarantine_reason is null
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
        {# Issue #19: no revenue ledger, no line on the chart (never $0). #}
        {{ measured_for('new_revenue', "case
            when period_days.calendar_date <= period_days.evaluated_through_date
                then coalesce(booked_per_day.booked_revenue, 0)
        end") }} as booked_revenue,
        {{ measured_for('new_revenue', "case
            when period_days.calendar_date <= period_days.evaluated_through_date
                then sum(coalesce(booked_per_day.booked_revenue, 0)) over (
                    partition by period_days.agreement_id
                    order by period_days.calendar_date
                    rows between unbounded preceding and current row
                )
        end") }} as cumulative_revenue,
        month_curve.target_before_month + month_curve.month_target
            * ({{ dbt.datediff('month_curve.first_day_in_period', 'period_days.calendar_date',
                'day') }} + 1) / month_curve.days_in_period as pace_revenue
    from period_days
    left join booked_per_day
        on period_days.calendar_date = booked_per_day.booked_date
    left join month_curve
        on period_days.agreement_id = month_curve.agreement_id
        and cast({{ dbt.date_trunc('month', 'period_days.calendar_date') }} as date)
            = month_curve.month_start_date

)

select * from final
