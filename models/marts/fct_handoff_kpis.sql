{#- The lead hand-off protocol's KPIs, one row per agreement period. -#}
with

agreements as (

    select * from {{ ref('int_agreements_evaluated') }}

),

handoffs as (

    select * from {{ ref('int_mqls_joined_to_touches') }}

),

leads as (

    select * from {{ ref('stg_crm__leads') }}
    where rejection_reason is null

),

sqls_in_period as (

    select
        agreements.agreement_id,
        count(*) as sqls
    from agreements
    inner join leads
        on leads.sql_at is not null
        and {{ in_agreement_window('leads.sql_at') }}
    group by agreements.agreement_id

),

handoffs_summarised as (

    select
        agreement_id,
        count(*) as mqls_in_handoff,
        {{ count_where("is_due_for_first_touch") }} as mqls_due_for_first_touch,
        {{ count_where("is_touched_within_sla") }} as mqls_touched_within_sla,
        {{ count_where("not is_due_for_first_touch") }} as mqls_pending_first_touch,
        {{ count_where("is_touch_window_closed") }} as mqls_touch_window_closed,
        {{ count_where("is_worked") }} as mqls_worked,
        {{ count_where("is_sql") }} as mqls_converted_to_sql,
        {{ percentile_cont('business_hours_to_first_touch', 0.5) }}
            as median_first_touch_business_hours,
        {{ percentile_cont('business_hours_to_first_touch', 0.9) }}
            as p90_first_touch_business_hours
    from handoffs
    group by agreement_id

),

final as (

    select
        agreements.agreement_id,
        coalesce(sqls_in_period.sqls, 0) as sqls,
        {{ safe_ratio('handoffs_summarised.mqls_touched_within_sla',
            'handoffs_summarised.mqls_due_for_first_touch') }}
            as first_touch_within_sla_rate,
        handoffs_summarised.median_first_touch_business_hours,
        handoffs_summarised.p90_first_touch_business_hours,
        {{ safe_ratio('handoffs_summarised.mqls_worked',
            'handoffs_summarised.mqls_touch_window_closed') }} as mqls_worked_rate,
        {{ safe_ratio('handoffs_summarised.mqls_converted_to_sql',
            'handoffs_summarised.mqls_in_handoff') }} as mql_to_sql_rate,
        coalesce(handoffs_summarised.mqls_in_handoff, 0) as mqls_in_handoff,
        coalesce(handoffs_summarised.mqls_due_for_first_touch, 0) as mqls_due_for_first_touch,
        coalesce(handoffs_summarised.mqls_touched_within_sla, 0) as mqls_touched_within_sla,
        coalesce(handoffs_summarised.mqls_pending_first_touch, 0) as mqls_pending_first_touch,
        coalesce(handoffs_summarised.mqls_touch_window_closed, 0) as mqls_touch_window_closed,
        coalesce(handoffs_summarised.mqls_worked, 0) as mqls_worked
    from agreements
    left join sqls_in_period
        on agreements.agreement_id = sqls_in_period.agreement_id
    left join handoffs_summarised
        on agreements.agreement_id = handoffs_summarised.agreement_id

)

select * from final
