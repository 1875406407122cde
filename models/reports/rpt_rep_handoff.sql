{#- The hand-off protocol per sales rep and period: the weekly review's list. -#}
with

handoffs as (

    select * from {{ ref('fct_mql_handoffs') }}

),

reps as (

    select * from {{ ref('dim_reps') }}

),

per_rep as (

    select
        agreement_id,
        coalesce(owner_id, 'unassigned') as rep_id,
        count(*) as mqls_assigned,
        {{ count_where("is_due_for_first_touch") }} as mqls_due_for_first_touch,
        {{ count_where("is_touched_within_sla") }} as mqls_touched_within_sla,
        {{ count_where("is_deadline_passed and not is_touched") }}
            as mqls_untouched_past_deadline,
        {{ count_where("is_touch_window_closed") }} as mqls_touch_window_closed,
        {{ count_where("is_worked") }} as mqls_worked,
        {# Every due MQL, an untouched one at its wait so far, as the KPI counts. #}
        {{ percentile_cont('business_hours_waited', 0.5) }}
            as median_first_touch_business_hours
    from handoffs
    group by agreement_id, coalesce(owner_id, 'unassigned')

),

final as (

    select
        {{ composite_key(['per_rep.agreement_id', 'per_rep.rep_id']) }}
            as agreement_rep_id,
        per_rep.agreement_id,
        per_rep.rep_id,
        coalesce(reps.rep_name, per_rep.rep_id) as rep_name,
        per_rep.mqls_assigned,
        per_rep.mqls_due_for_first_touch,
        per_rep.mqls_touched_within_sla,
        {{ safe_ratio('per_rep.mqls_touched_within_sla', 'per_rep.mqls_due_for_first_touch') }}
            as first_touch_within_sla_rate,
        per_rep.median_first_touch_business_hours,
        per_rep.mqls_untouched_past_deadline,
        per_rep.mqls_touch_window_closed,
        per_rep.mqls_worked,
        {{ safe_ratio('per_rep.mqls_worked', 'per_rep.mqls_touch_window_closed') }}
            as mqls_worked_rate
    from per_rep
    left join reps
        on per_rep.rep_id = reps.rep_id

)

select * from final
