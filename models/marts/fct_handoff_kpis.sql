{#- The lead hand-off protocol's KPIs per agreement period and per month of
    it (by the MQL's or SQL's local month). -#}
with

agreements as (

    select * from {{ ref('int_kpi_evaluations') }}

),

windows as (

    select * from {{ ref('int_kpi_windows') }}

),

handoffs as (

    select
        *,
        mql_month_start_date as month_start_date
    from {{ ref('int_mqls_joined_to_touches') }}

),

leads as (

    select * from {{ ref('stg_crm__leads') }}
    where quarantine_reason is null

),

sqls_in_period as (

    select
        agreements.agreement_id,
        {{ local_month('leads.sql_at') }} as month_start_date
    from agreements
    inner join leads
        on leads.sql_at is not null
        and {{ in_agreement_window('leads.sql_at') }}

),

sqls_counted as (

    select
        agreement_id,
        {{ kpi_window_key() }} as window_key,
        count(*) as sqls
    from sqls_in_period
    {{ group_by_kpi_windows() }}

),

handoffs_summarised as (

    select
        agreement_id,
        {{ kpi_window_key() }} as window_key,
        count(*) as mqls_in_handoff,
        {{ count_where("is_due_for_first_touch") }} as mqls_due_for_first_touch,
        {{ count_where("is_touched_within_sla") }} as mqls_touched_within_sla,
        {{ count_where("not is_due_for_first_touch") }} as mqls_pending_first_touch,
        {{ count_where("is_due_for_first_touch and not is_touched") }}
            as mqls_due_untouched,
        {{ count_where("is_touch_window_closed") }} as mqls_touch_window_closed,
        {{ count_where("is_worked") }} as mqls_worked,
        {{ count_where("is_worked_by_attempts") }} as mqls_worked_by_attempts,
        {{ count_where("is_worked and not is_worked_by_attempts") }} as mqls_settled_early,
        {{ count_where("is_dispositioned") }} as mqls_dispositioned,
        {{ count_where("is_conversion_matured") }} as mql_cohort_size,
        {{ count_where("is_conversion_matured and is_sql") }} as mql_cohort_converted_to_sql,
        {{ count_where("is_sql") }} as mqls_converted_so_far,
        {# The day the youngest MQL of the window has had its conversion window. #}
        cast({{ dbt.dateadd('day', 'max(conversion_window_days)', 'max(mql_local_date)') }}
            as date) as mql_cohort_matures_on,
        {# business_hours_waited is null for pending MQLs, which percentiles skip. #}
        {{ percentile_cont('business_hours_waited', 0.5) }}
            as median_first_touch_business_hours,
        {{ percentile_cont('business_hours_waited', 0.9) }}
            as p90_first_touch_business_hours
    from handoffs
    {{ group_by_kpi_windows() }}

),

final as (

    select
        windows.kpi_window_id,
        windows.agreement_id,
        windows.window_key,
        windows.month_start_date,
        coalesce(sqls_counted.sqls, 0) as sqls,
        {{ safe_ratio('handoffs_summarised.mqls_touched_within_sla',
            'handoffs_summarised.mqls_due_for_first_touch') }}
            as first_touch_within_sla_rate,
        handoffs_summarised.median_first_touch_business_hours,
        handoffs_summarised.p90_first_touch_business_hours,
        {{ safe_ratio('handoffs_summarised.mqls_worked',
            'handoffs_summarised.mqls_touch_window_closed') }} as mqls_worked_rate,
        {{ safe_ratio('handoffs_summarised.mqls_dispositioned',
            'handoffs_summarised.mqls_touch_window_closed') }} as mqls_dispositioned_rate,
        {# Issue #19: a window none of whose MQLs has had its conversion
           window is maturing: the share converted so far, and the day it
           matures; not "no data". #}
        case
            when coalesce(handoffs_summarised.mql_cohort_size, 0) = 0
                then {{ safe_ratio('handoffs_summarised.mqls_converted_so_far',
                    'handoffs_summarised.mqls_in_handoff') }}
            else {{ safe_ratio('handoffs_summarised.mql_cohort_converted_to_sql',
                'handoffs_summarised.mql_cohort_size') }}
        end as mql_to_sql_rate,
        case
            when coalesce(handoffs_summarised.mql_cohort_size, 0) = 0
                and handoffs_summarised.mqls_in_handoff > 0
                then handoffs_summarised.mql_cohort_matures_on
        end as mql_to_sql_rate_matures_on,
        case
            when coalesce(handoffs_summarised.mql_cohort_size, 0) = 0
                then coalesce(handoffs_summarised.mqls_in_handoff, 0)
            else handoffs_summarised.mql_cohort_size
        end as mql_conversion_cases,
        coalesce(handoffs_summarised.mqls_in_handoff, 0) as mqls_in_handoff,
        coalesce(handoffs_summarised.mqls_due_for_first_touch, 0) as mqls_due_for_first_touch,
        coalesce(handoffs_summarised.mqls_touched_within_sla, 0) as mqls_touched_within_sla,
        coalesce(handoffs_summarised.mqls_pending_first_touch, 0) as mqls_pending_first_touch,
        coalesce(handoffs_summarised.mqls_due_untouched, 0) as mqls_due_untouched,
        coalesce(handoffs_summarised.mqls_touch_window_closed, 0) as mqls_touch_window_closed,
        coalesce(handoffs_summarised.mqls_worked, 0) as mqls_worked,
        coalesce(handoffs_summarised.mqls_worked_by_attempts, 0) as mqls_worked_by_attempts,
        coalesce(handoffs_summarised.mqls_settled_early, 0) as mqls_settled_early,
        coalesce(handoffs_summarised.mqls_dispositioned, 0) as mqls_dispositioned,
        coalesce(handoffs_summarised.mql_cohort_size, 0) as mql_cohort_size,
        coalesce(handoffs_summarised.mql_cohort_converted_to_sql, 0)
            as mql_cohort_converted_to_sql,
        coalesce(handoffs_summarised.mqls_converted_so_far, 0) as mqls_converted_so_far
    from windows
    left join sqls_counted
        on windows.agreement_id = sqls_counted.agreement_id
        and windows.window_key = sqls_counted.window_key
    left join handoffs_summarised
        on windows.agreement_id = handoffs_summarised.agreement_id
        and windows.window_key = handoffs_summarised.window_key

)

select * from final
