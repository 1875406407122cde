{#- The evaluations the KPIs are computed at (issue #20): every agreement as of
    the as-of day, and the agreement in progress also as of each earlier
    weekly evaluation day (the as-of day minus 7, 14, ... days, back to the
    period's first week). The scorecard then says, from the same data and the
    same definitions, what each KPI was a week ago and for how many weekly
    evaluations in a row it has been behind pace (the agreement's "behind two
    weeks running" rule).

    In the KPI chain (int_kpi_windows, int_mqls_joined_to_touches, the
    fct_*_kpis models, fct_kpi_evaluations) `agreement_id` names an
    evaluation: the agreement's own id as of the as-of day, and
    '<agreement_id>@<evaluation day>' for an earlier one, so every join and
    grouping on agreement_id keeps evaluations apart. `evaluated_agreement_id`
    is always the agreement's own id. Every column an agreement has is
    recomputed as of the evaluation day; int_agreements_evaluated is the
    as-of day's rows. -#}
with

agreements as (

    select * from {{ ref('stg_sla__agreements') }}

),

digits as (

    {{ digit_rows() }}

),

week_offsets as (

    {# 0..99 weeks: longer than any agreement period. #}
    select ones.digit + 10 * tens.digit as weeks_before_as_of
    from digits as ones
    cross join digits as tens

),

as_of as (

    select cast('{{ var("as_of") }}' as date) as as_of_date

),

evaluation_days as (

    select
        agreements.agreement_id as evaluated_agreement_id,
        week_offsets.weeks_before_as_of,
        cast({{ dbt.dateadd('day', '-7 * week_offsets.weeks_before_as_of',
            'as_of.as_of_date') }} as date) as as_of_date
    from agreements
    cross join as_of
    cross join week_offsets
    {# The as-of day for every agreement; earlier weeks only while the
       period is in progress, back to its first day. #}
    where week_offsets.weeks_before_as_of = 0
        or (as_of.as_of_date < agreements.period_end_date
            and {{ dbt.dateadd('day', '-7 * week_offsets.weeks_before_as_of',
                'as_of.as_of_date') }} >= agreements.period_start_date)

),

windowed as (

    select
        {# An earlier evaluation is an agreement of its own in the KPI chain. #}
        case
            when evaluation_days.weeks_before_as_of = 0 then agreements.agreement_id
            else agreements.agreement_id || '@'
                || cast(evaluation_days.as_of_date as {{ dbt.type_string() }})
        end as agreement_id,
        agreements.agreement_id as evaluated_agreement_id,
        evaluation_days.weeks_before_as_of,
        agreements.title,
        agreements.time_zone,
        agreements.revenue_goal,
        agreements.marketing_revenue_share,
        agreements.average_deal_size,
        agreements.visit_to_lead_rate,
        agreements.lead_to_mql_rate,
        agreements.mql_to_sql_rate,
        agreements.sql_to_opportunity_rate,
        agreements.opportunity_to_proposal_rate,
        agreements.proposal_to_win_rate,
        agreements.first_touch_business_hours,
        agreements.min_touch_attempts,
        agreements.touch_window_days,
        agreements.conversion_window_days,
        agreements.min_sample,
        agreements.business_day_start_minute,
        agreements.business_day_end_minute,
        agreements.period_start_date,
        agreements.period_end_date,
        evaluation_days.as_of_date,
        case
            when evaluation_days.as_of_date < agreements.period_end_date
                then evaluation_days.as_of_date
            else agreements.period_end_date
        end as evaluated_through_date,
        {{ dbt.datediff('agreements.period_start_date', 'agreements.period_end_date', 'day') }}
            + 1 as period_days
    from agreements
    inner join evaluation_days
        on agreements.agreement_id = evaluation_days.evaluated_agreement_id

),

final as (

    select
        *,
        case
            when as_of_date < period_start_date then 0
            -- noqa: disable=LT05
            else {{ dbt.datediff('period_start_date', 'evaluated_through_date', 'day') }} + 1
            -- noqa: enable=LT05
        end as elapsed_days,
        case
            when as_of_date >= period_end_date then 'final'
            when as_of_date >= period_start_date then 'in_progress'
            else 'upcoming'
        end as period_state
    from windowed

)

select * from final
