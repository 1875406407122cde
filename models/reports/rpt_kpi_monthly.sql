{#- Every KPI month by month within each period: actual against the month's
    target, and for volumes the running total against the one pace curve
    (fct_kpi_monthly_targets). A finished month is met or missed; the current
    one is paced by its elapsed days; rates are compared with their target as
    they are. Each open month of a volume also says what it still needs: the
    period's shortfall (the scorecard's needed_rest_of_period) shared in
    proportion to the plan left in each month. Issue #20: the month in
    progress is judged against that re-phased need (what it has brought plus
    what it still needs, paced by its elapsed days), not against its original
    plan, so a month cannot read "on track" while the period falls behind. -#}
{{ kpi_model_dependencies() }}
with

agreements as (

    select * from {{ ref('int_agreements_evaluated') }}

),

months as (

    select * from {{ ref('int_agreement_months') }}

),

month_targets as (

    select * from {{ ref('fct_kpi_monthly_targets') }}

),

scorecard as (

    select * from {{ ref('rpt_kpi_scorecard') }}

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
        months.days_elapsed,
        months.days_in_period,
        agreements.min_sample,
        case when months.month_state = 'upcoming' then null else actuals.actual end
            as actual,
        case when months.month_state = 'upcoming' then null else actuals.sample_size end
            as sample_size,
        {# Issue #19: a lower bound says so (">="), a month of a KPI the team
           lacks the inputs for is no data with the reason, a month whose
           cohort has not matured is maturing with the day it will. #}
        months.month_state <> 'upcoming' and actuals.is_lower_bound as is_lower_bound,
        actuals.no_data_reason,
        case when months.month_state = 'upcoming' then null else actuals.matures_on end
            as matures_on,
        month_targets.month_target,
        month_targets.month_target_source,
        case
            when actuals.pacing = 'cumulative' then month_targets.expected_to_date
            else month_targets.month_target
        end as expected_to_date,
        month_targets.plan_remaining,
        scorecard.needed_rest_of_period
    from actuals
    inner join months
        on actuals.agreement_id = months.agreement_id
        and actuals.month_start_date = months.month_start_date
    inner join agreements
        on actuals.agreement_id = agreements.agreement_id
    left join month_targets
        on actuals.agreement_id = month_targets.agreement_id
        and actuals.month_start_date = month_targets.month_start_date
        and actuals.kpi_id = month_targets.kpi_id
    left join scorecard
        on actuals.agreement_id = scorecard.agreement_id
        and actuals.kpi_id = scorecard.kpi_id

),

running as (

    select
        *,
        case when pacing = 'cumulative' then sum(actual) over (
            partition by agreement_id, kpi_id order by month_start_date
            rows between unbounded preceding and current row
        ) end as cumulative_actual,
        case when pacing = 'cumulative' then sum(month_target) over (
            partition by agreement_id, kpi_id order by month_start_date
            rows between unbounded preceding and current row
        ) end as cumulative_target,
        case when pacing = 'cumulative' then sum(expected_to_date) over (
            partition by agreement_id, kpi_id order by month_start_date
            rows between unbounded preceding and current row
        ) end as cumulative_expected,
        sum(plan_remaining) over (partition by agreement_id, kpi_id) as period_plan_remaining
    from joined

),

rephased as (

    select
        *,
        case
            when month_state <> 'finished' and needed_rest_of_period is not null
                and no_data_reason is null
                and period_plan_remaining > 0
                then needed_rest_of_period * plan_remaining / period_plan_remaining
        end as still_needed
    from running

),

judged_against as (

    select
        *,
        case
            when month_state = 'current' and pacing = 'cumulative' and still_needed is not null
                then coalesce(actual, 0) + still_needed
        end as rephased_month_target
    from rephased

),

paced as (

    select
        *,
        case
            when rephased_month_target is not null
                then {{ month_expected_to_date('rephased_month_target', 'days_elapsed',
                    'days_in_period') }}
            else expected_to_date
        end as judged_expected
    from judged_against

),

assessed as (

    select
        *,
        {{ kpi_attainment('actual', 'judged_expected', 'direction') }} as attainment,
        {{ kpi_attainment('actual', 'month_target', 'direction') }} as target_attainment,
        case
            when month_state = 'finished' then 'final'
            else month_state
        end as window_state
    from paced

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
        sample_size,
        is_lower_bound,
        no_data_reason,
        matures_on,
        month_target,
        month_target_source,
        expected_to_date,
        case when month_state = 'upcoming' then null else cumulative_actual end
            as cumulative_actual,
        cumulative_target,
        cumulative_expected,
        still_needed,
        rephased_month_target,
        judged_expected as expected_to_date_judged,
        attainment,
        {{ kpi_status('attainment', 'month_target is not null', 'actual', 'window_state',
            'coalesce(sample_size < min_sample, false)', 'target_attainment',
            "pacing = 'cumulative' and direction = 'higher'",
            'no_data_reason', 'matures_on') }} as status
    from assessed

)

select * from final
