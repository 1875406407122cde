{#- Every KPI of every evaluation (int_kpi_evaluations: each agreement as of
    the as-of day, and the agreement in progress as of each earlier weekly
    evaluation day, issue #20): actual, target, pace and status, by the one
    set of rules. rpt_kpi_scorecard is the as-of day's rows with the week
    before beside them.
    KPIs are discovered from the dbt graph (columns with meta.kpi in the
    models of the `kpi_models` var), so a new KPI needs SQL + YAML only.

    A volume is paced by the one pace curve of fct_kpi_monthly_targets
    (finished months' targets + the current month's target x elapsed days /
    days); rates and durations are compared with their target as they are.

    Issue #19: a KPI whose inputs the team lacks, or whose rate is true by
    construction in this data, is null with status no_data and the reason;
    a cohort rate none of whose cohort has matured is `maturing` with its
    value so far and the day it matures; a closed period's cohort rates are
    provisional until conversion_window_days after it ended. -#}
{{ kpi_model_dependencies() }}
with

agreements as (

    select * from {{ ref('int_kpi_evaluations') }}

),

targets as (

    select * from {{ ref('fct_kpi_targets') }}

),

month_targets as (

    select * from {{ ref('fct_kpi_monthly_targets') }}

),

actuals as (

    select * from ({{ kpi_actuals_unpivoted() }}) as unpivoted
    where window_key = 'period'

),

months_elapsed as (

    {# Each month's days elapsed by the evaluation's day. #}
    select
        agreements.agreement_id,
        agreements.weeks_before_as_of,
        month_targets.kpi_id,
        month_targets.month_target,
        month_targets.month_state,
        month_targets.plan_remaining,
        month_targets.days_in_period,
        case
            when month_targets.first_day_in_period > agreements.as_of_date then 0
            when {{ dbt.datediff('month_targets.first_day_in_period', 'agreements.as_of_date',
                'day') }} + 1 > month_targets.days_in_period
                then month_targets.days_in_period
            else {{ dbt.datediff('month_targets.first_day_in_period', 'agreements.as_of_date',
                'day') }} + 1
        end as days_elapsed
    from agreements
    inner join month_targets
        on agreements.evaluated_agreement_id = month_targets.agreement_id
    where month_targets.is_phased

),

pace as (

    select
        agreement_id,
        kpi_id,
        sum({{ month_expected_to_date('month_target', 'days_elapsed', 'days_in_period') }})
            as expected_to_date,
        {# What is left of the plan: for the as-of day only (Still needed). #}
        sum(case when weeks_before_as_of = 0 then plan_remaining end) as plan_remaining,
        sum(case when weeks_before_as_of = 0 and month_state = 'current'
            then plan_remaining end) as plan_remaining_this_month
    from months_elapsed
    group by agreement_id, kpi_id

),

paced as (

    select
        actuals.*,
        agreements.evaluated_agreement_id,
        agreements.weeks_before_as_of,
        agreements.as_of_date,
        agreements.period_state,
        agreements.min_sample,
        case
            when actuals.is_cohort_rate and agreements.period_state = 'final'
                and actuals.no_data_reason is null
                and {{ dbt.dateadd('day', 'agreements.conversion_window_days',
                    'agreements.period_end_date') }} > agreements.as_of_date
                then cast({{ dbt.dateadd('day', 'agreements.conversion_window_days',
                    'agreements.period_end_date') }} as date)
        end as provisional_until,
        targets.target,
        targets.target_source,
        case
            when actuals.pacing = 'cumulative' then pace.expected_to_date
            else targets.target
        end as expected_to_date,
        pace.plan_remaining,
        pace.plan_remaining_this_month
    from actuals
    inner join agreements
        on actuals.agreement_id = agreements.agreement_id
    left join targets
        on agreements.evaluated_agreement_id = targets.agreement_id
        and actuals.kpi_id = targets.kpi_id
    left join pace
        on actuals.agreement_id = pace.agreement_id
        and actuals.kpi_id = pace.kpi_id

),

assessed as (

    select
        *,
        case
            when period_state = 'upcoming' then null
            else {{ kpi_attainment('actual', 'expected_to_date', 'direction') }}
        end as attainment,
        {{ kpi_attainment('actual', 'target', 'direction') }} as target_attainment,
        sample_size is not null and sample_size < min_sample as is_too_few,
        {# What is still missing to reach the target, for a volume in progress. #}
        case
            when pacing = 'cumulative' and direction = 'higher'
                and period_state = 'in_progress' and target is not null
                and no_data_reason is null
                then case when target > coalesce(actual, 0) then target - coalesce(actual, 0)
                    else 0 end
        end as needed_rest_of_period
    from paced

),

judged as (

    select
        {{ composite_key(['agreement_id', 'kpi_id']) }} as agreement_kpi_id,
        agreement_id,
        evaluated_agreement_id,
        weeks_before_as_of,
        as_of_date,
        kpi_id,
        kpi_title,
        kpi_section,
        owner_team,
        unit,
        direction,
        pacing,
        kpi_order,
        computed_by_model,
        period_state,
        actual,
        actual_all_sources,
        actual_sales_sourced,
        sample_size,
        min_sample,
        is_lower_bound,
        no_data_reason,
        matures_on,
        is_cohort_rate,
        provisional_until,
        split_first,
        split_second,
        target,
        target_source,
        expected_to_date,
        {# The run rate against the plan: the rest of the period at the
           attainment of pace so far. #}
        case
            when pacing <> 'cumulative' then actual
            when period_state = 'final' then actual
            when expected_to_date > 0 then actual * target / expected_to_date
        end as projected,
        case
            when expected_to_date is null or actual is null then null
            else actual - expected_to_date
        end as gap_to_expected,
        needed_rest_of_period,
        {# The current month's share of what is missing: the shortfall is
           shared by the months left in proportion to their remaining plan. #}
        case
            when needed_rest_of_period is not null and plan_remaining > 0
                then needed_rest_of_period * coalesce(plan_remaining_this_month, 0)
                    / plan_remaining
        end as needed_this_month,
        attainment,
        target_attainment,
        {{ kpi_status('attainment', 'target is not null', 'actual', 'period_state',
            'is_too_few', 'target_attainment',
            "pacing = 'cumulative' and direction = 'higher'",
            'no_data_reason', 'matures_on') }} as status,
        target is not null and actual is not null and matures_on is null
            and target_attainment >= 1 as is_target_met
    from assessed

),

final as (

    select
        *,
        {# Issue #19: the exceptions the Overview, the headline and
           summary.json list first. A closed period names its misses, then
           what could not be measured; a period in progress what is behind,
           then at risk. #}
        cast(case
            when period_state = 'final' and status = 'missed' then 1
            when period_state = 'final' and status = 'no_data' then 2
            when period_state = 'in_progress' and status = 'behind' then 1
            when period_state = 'in_progress' and status = 'at_risk' then 2
        end as {{ dbt.type_int() }}) as exception_rank
    from judged

)

select * from final
