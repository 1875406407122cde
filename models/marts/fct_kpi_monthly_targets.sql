{#- Each period target phased by month. For a volume (pacing: cumulative), an
    explicit month row in sla_targets wins and the rest of the period target
    is shared by the other months in proportion to their business days in the
    period (calendar days if none of them has a business day); a rate or
    duration keeps its period target every month. Month rows this model
    cannot use are listed by rpt_target_warnings. -#}
{%- set cumulative = cumulative_kpi_ids() %}
with

months as (

    select * from {{ ref('int_agreement_months') }}

),

targets as (

    select * from {{ ref('fct_kpi_targets') }}

),

explicit_month_targets as (

    select * from {{ ref('stg_sla__targets') }}
    where month_start_date is not null

),

month_targets as (

    select
        months.agreement_id,
        months.month_start_date,
        months.first_day_in_period,
        months.days_in_period,
        months.business_days_in_period,
        months.days_elapsed,
        months.month_state,
        targets.kpi_id,
        targets.target as period_target,
        {% if cumulative %}
        targets.kpi_id in ('{{ cumulative | join("', '") }}') -- noqa: LT05
        {% else %}
        false
        {% endif %} as is_phased,
        explicit_month_targets.target as explicit_target
    from months
    inner join targets
        on months.agreement_id = targets.agreement_id
    left join explicit_month_targets
        on months.agreement_id = explicit_month_targets.agreement_id
        and months.month_start_date = explicit_month_targets.month_start_date
        and targets.kpi_id = explicit_month_targets.kpi_id

),

shares as (

    select
        *,
        period_target - coalesce(sum(explicit_target) over (
            partition by agreement_id, kpi_id
        ), 0) as target_left_to_phase,
        sum(case when explicit_target is null then business_days_in_period end) over (
            partition by agreement_id, kpi_id
        ) as business_days_left_to_phase,
        sum(case when explicit_target is null then days_in_period end) over (
            partition by agreement_id, kpi_id
        ) as days_left_to_phase
    from month_targets

),

phased as (

    select
        agreement_id,
        kpi_id,
        month_start_date,
        month_state,
        first_day_in_period,
        days_in_period,
        days_elapsed,
        is_phased,
        case
            when not is_phased then period_target
            when explicit_target is not null then explicit_target
            when business_days_left_to_phase > 0
                then target_left_to_phase * business_days_in_period
                    / business_days_left_to_phase
            else target_left_to_phase * days_in_period / days_left_to_phase
        end as month_target,
        case
            when not is_phased then 'period'
            when explicit_target is not null then 'explicit'
            else 'phased'
        end as month_target_source
    from shares

),

final as (

    select
        {{ composite_key(['agreement_id', 'kpi_id', 'month_start_date']) }}
            as agreement_kpi_month_id,
        agreement_id,
        kpi_id,
        month_start_date,
        month_state,
        first_day_in_period,
        days_in_period,
        is_phased,
        month_target,
        month_target_source,
        {#- The one pace curve of a volume: a finished month expects its whole
            target, the current one its target x elapsed days / days, an
            upcoming one nothing yet. What is left of the plan is the rest. -#}
        case
            when is_phased
                then {{ month_expected_to_date('month_target', 'days_elapsed', 'days_in_period') }}
        end as expected_to_date,
        case
            when not is_phased then null
            when month_state = 'finished' then 0
            when month_state = 'current'
                then month_target * (days_in_period - days_elapsed) / days_in_period
            else month_target
        end as plan_remaining
    from phased

)

select * from final
