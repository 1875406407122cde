{#- Every KPI of every agreement period: actual, target, pace and status.
    KPIs are discovered from the dbt graph (columns with meta.kpi in the
    models of the `kpi_models` var), so a new KPI needs SQL + YAML only. -#}
{{ kpi_model_dependencies() }}
with

agreements as (

    select * from {{ ref('int_agreements_evaluated') }}

),

targets as (

    select * from {{ ref('fct_kpi_targets') }}

),

actuals as (

    select * from ({{ kpi_actuals_unpivoted() }}) as unpivoted
    where window_key = 'period'

),

months as (

    select * from {{ ref('int_agreement_months') }}

),

months_remaining as (

    select
        agreement_id,
        {{ count_where("month_state <> 'finished'") }} as months_remaining
    from months
    group by agreement_id

),

paced as (

    select
        actuals.*,
        agreements.period_state,
        agreements.elapsed_days,
        agreements.period_days,
        coalesce(months_remaining.months_remaining, 0) as months_remaining,
        targets.target,
        targets.target_source,
        case
            when actuals.pacing = 'cumulative'
                then targets.target * agreements.elapsed_days / agreements.period_days
            else targets.target
        end as expected_to_date,
        case
            when actuals.pacing = 'cumulative' and agreements.elapsed_days > 0
                then actuals.actual * agreements.period_days / agreements.elapsed_days
            when actuals.pacing = 'cumulative' then null
            else actuals.actual
        end as projected
    from actuals
    inner join agreements
        on actuals.agreement_id = agreements.agreement_id
    left join targets
        on actuals.agreement_id = targets.agreement_id
        and actuals.kpi_id = targets.kpi_id
    left join months_remaining
        on actuals.agreement_id = months_remaining.agreement_id

),

assessed as (

    select
        *,
        {{ kpi_attainment('actual', 'expected_to_date', 'direction') }} as attainment,
        {{ kpi_attainment('actual', 'target', 'direction') }} as target_attainment
    from paced

),

final as (

    select
        {{ composite_key(['agreement_id', 'kpi_id']) }} as agreement_kpi_id,
        agreement_id,
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
        target,
        target_source,
        expected_to_date,
        projected,
        case
            when expected_to_date is null or actual is null then null
            else actual - expected_to_date
        end as gap_to_expected,
        {# What each month still open must bring for a volume to reach its
           target (the current month counts as open). #}
        case
            when pacing = 'cumulative' and period_state = 'in_progress'
                and target is not null and months_remaining > 0
                then case
                    when target > coalesce(actual, 0)
                        then (target - coalesce(actual, 0)) / months_remaining
                    else 0
                end
        end as needed_per_remaining_month,
        months_remaining,
        attainment,
        {{ kpi_status('attainment', 'target is not null', 'actual') }} as status,
        target is not null and actual is not null and target_attainment >= 1 as is_target_met
    from assessed

)

select * from final
