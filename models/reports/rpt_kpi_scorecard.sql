{#- Every KPI of every agreement period as of the as-of day: actual, target,
    pace and status (fct_kpi_evaluations), and for the period in progress the
    same KPI a week earlier, what changed since, and for how many weekly
    evaluations in a row it has been behind pace (issue #20: the agreement's
    "a KPI behind its pace two weeks running gets an owner and an action").

    KPIs are discovered from the dbt graph (columns with meta.kpi in the
    models of the `kpi_models` var), so a new KPI needs SQL + YAML only. -#}
with

evaluations as (

    select * from {{ ref('fct_kpi_evaluations') }}

),

as_of_day as (

    select * from evaluations
    where weeks_before_as_of = 0

),

week_before as (

    select * from evaluations
    where weeks_before_as_of = 1

),

behind_streaks as (

    {# The evaluations in a row, from the as-of day back, that were behind:
       the first week that was not ends the streak. #}
    select
        evaluated_agreement_id,
        kpi_id,
        coalesce(
            min(case when status <> 'behind' then weeks_before_as_of end),
            max(weeks_before_as_of) + 1
        ) as weeks_behind
    from evaluations
    group by evaluated_agreement_id, kpi_id

),

compared as (

    select
        as_of_day.*,
        week_before.as_of_date as week_before_date,
        week_before.actual as actual_week_before,
        week_before.status as status_week_before,
        week_before.is_lower_bound as is_lower_bound_week_before,
        case
            when as_of_day.period_state <> 'in_progress' then null
            when week_before.agreement_id is null
                then 'the period began less than a week before the as-of day'
        end as week_before_missing_because,
        as_of_day.actual - week_before.actual as change_since_week_before,
        cast(case
            when as_of_day.period_state = 'in_progress' then behind_streaks.weeks_behind
        end as {{ dbt.type_int() }}) as weeks_behind
    from as_of_day
    left join week_before
        on as_of_day.agreement_id = week_before.evaluated_agreement_id
        and as_of_day.kpi_id = week_before.kpi_id
    left join behind_streaks
        on as_of_day.agreement_id = behind_streaks.evaluated_agreement_id
        and as_of_day.kpi_id = behind_streaks.kpi_id

),

final as (

    select
        agreement_kpi_id,
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
        projected,
        gap_to_expected,
        needed_rest_of_period,
        needed_this_month,
        attainment,
        status,
        is_target_met,
        exception_rank,
        week_before_date,
        actual_week_before,
        status_week_before,
        is_lower_bound_week_before,
        week_before_missing_because,
        change_since_week_before,
        weeks_behind,
        {# Issue #20: the exceptions worst first, by severity then by how far
           from pace (or, closed, from target) the KPI is. #}
        cast(case
            when exception_rank is not null then row_number() over (
                partition by agreement_id, exception_rank is null
                order by exception_rank,
                    {# Nulls last on every engine (Spark puts them first). #}
                    case when period_state = 'final' and target_attainment is null then 1
                        when period_state <> 'final' and attainment is null then 1
                        else 0 end,
                    case when period_state = 'final' then target_attainment
                        else attainment end,
                    kpi_order
            )
        end as {{ dbt.type_int() }}) as exception_order
    from compared

)

select * from final
