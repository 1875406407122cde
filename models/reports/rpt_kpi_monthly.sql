{#- Every KPI month by month within each period: actual against the month's
    target, and for volumes the running total against the running target. A
    finished month is met or missed; the current one is paced by its elapsed
    days; rates are compared with their target as they are. -#}
{{ kpi_model_dependencies() }}
with

months as (

    select * from {{ ref('int_agreement_months') }}

),

month_targets as (

    select * from {{ ref('fct_kpi_monthly_targets') }}

),

actuals as (

    select * from ({{ kpi_actuals_unpivoted() }}) as unpivoted
    where window_key <> 'period'

),

joined as (

    select
        actuals.agreement_id,
        actuals.month_start_date,
        actuals.kpi_id,
        actuals.unit,
        actuals.direction,
        actuals.pacing,
        actuals.kpi_order,
        months.month_number,
        months.month_state,
        months.days_in_period,
        months.days_elapsed,
        case when months.month_state = 'upcoming' then null else actuals.actual end
            as actual,
        month_targets.month_target,
        month_targets.month_target_source
    from actuals
    inner join months
        on actuals.agreement_id = months.agreement_id
        and actuals.month_start_date = months.month_start_date
    left join month_targets
        on actuals.agreement_id = month_targets.agreement_id
        and actuals.month_start_date = month_targets.month_start_date
        and actuals.kpi_id = month_targets.kpi_id

),

running as (

    select
        *,
        case
            when pacing = 'cumulative' and month_state = 'current'
                then month_target * days_elapsed / days_in_period
            else month_target
        end as expected_to_date,
        case when pacing = 'cumulative' then sum(actual) over (
            partition by agreement_id, kpi_id order by month_start_date
            rows between unbounded preceding and current row
        ) end as cumulative_actual,
        case when pacing = 'cumulative' then sum(month_target) over (
            partition by agreement_id, kpi_id order by month_start_date
            rows between unbounded preceding and current row
        ) end as cumulative_target
    from joined

),

assessed as (

    select
        *,
        {{ kpi_attainment('actual', 'expected_to_date', 'direction') }} as attainment
    from running

),

final as (

    select
        {{ composite_key(['agreement_id', 'kpi_id', 'month_start_date']) }}
            as agreement_kpi_month_id,
        agreement_id,
        kpi_id,
        month_start_date,
        cast(month_number as {{ dbt.type_int() }}) as month_number,
        month_state,
        unit,
        direction,
        pacing,
        kpi_order,
        actual,
        month_target,
        month_target_source,
        expected_to_date,
        case when month_state = 'upcoming' then null else cumulative_actual end
            as cumulative_actual,
        cumulative_target,
        attainment,
        case
            when month_state = 'upcoming' then 'upcoming'
            else {{ kpi_status('attainment', 'month_target is not null', 'actual') }}
        end as status
    from assessed

)

select * from final
