{#- Every agreement period, final or in progress, with its terms and the
    headline result: what the History and Overview pages show. Issue #19:
    also the rules the figures were made by (attribution, owner at MQL time)
    and why the hand-off clock cannot run, so every page states them from
    this table. -#}
{%- set chosen_attribution = attribution() %}
{%- set missing = var('missing_inputs', {}) %}
with

agreements as (

    select * from {{ ref('dim_agreements') }}

),

scorecard as (

    select * from {{ ref('rpt_kpi_scorecard') }}

),

handoffs as (

    select * from {{ ref('fct_mql_handoffs') }}

),

scorecard_summarised as (

    select
        agreement_id,
        {{ count_where("status = 'on_track'") }} as kpis_on_track,
        {{ count_where("status = 'at_risk'") }} as kpis_at_risk,
        {{ count_where("status = 'behind'") }} as kpis_behind,
        {{ count_where("status = 'met'") }} as kpis_met,
        {{ count_where("status = 'missed'") }} as kpis_missed,
        {{ count_where("status = 'too_few'") }} as kpis_too_few,
        {{ count_where("status = 'no_data'") }} as kpis_no_data,
        {{ count_where("status = 'maturing'") }} as kpis_maturing,
        {{ count_where("status = 'no_target'") }} as kpis_no_target,
        {{ count_where("provisional_until is not null") }} as kpis_provisional,
        count(*) as kpis_total,
        {{ count_where("is_target_met") }} as kpis_target_met,
        {{ count_where("target is not null") }} as kpis_with_target,
        max(case when kpi_id = 'new_revenue' then actual end) as new_revenue,
        max(case when kpi_id = 'new_revenue' then status end) as revenue_status
    from scorecard
    group by agreement_id

),

owners_summarised as (

    select
        agreement_id,
        {{ count_where("is_owner_from_history") }} as mqls_owner_from_history,
        {{ count_where("coalesce(owner_id, '') <> coalesce(current_owner_id, '')") }}
            as mqls_reassigned_since_mql
    from handoffs
    group by agreement_id

),

sequenced as (

    select
        agreement_id,
        lag(agreement_id) over (order by period_start_date) as previous_agreement_id,
        {# A gap between agreements is allowed, and shown. #}
        {{ dbt.datediff('lag(period_end_date) over (order by period_start_date)',
            'period_start_date', 'day') }} - 1 as gap_days_before
    from agreements

),

final as (

    select
        agreements.agreement_id,
        sequenced.previous_agreement_id,
        sequenced.gap_days_before,
        agreements.title,
        agreements.time_zone,
        agreements.period_start_date,
        agreements.period_end_date,
        agreements.as_of_date,
        agreements.evaluated_through_date,
        agreements.period_days,
        agreements.elapsed_days,
        agreements.days_left,
        agreements.period_state,
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
        {# No data is not $0 (issue #19): a team without a revenue ledger. #}
        case
            when coalesce(scorecard_summarised.revenue_status, '') <> 'no_data'
                then coalesce(scorecard_summarised.new_revenue, 0)
        end as new_revenue,
        {{ safe_ratio('scorecard_summarised.new_revenue', 'agreements.revenue_goal') }}
            as revenue_goal_attainment,
        scorecard_summarised.revenue_status,
        coalesce(scorecard_summarised.kpis_on_track, 0) as kpis_on_track,
        coalesce(scorecard_summarised.kpis_at_risk, 0) as kpis_at_risk,
        coalesce(scorecard_summarised.kpis_behind, 0) as kpis_behind,
        coalesce(scorecard_summarised.kpis_met, 0) as kpis_met,
        coalesce(scorecard_summarised.kpis_missed, 0) as kpis_missed,
        coalesce(scorecard_summarised.kpis_too_few, 0) as kpis_too_few,
        coalesce(scorecard_summarised.kpis_no_data, 0) as kpis_no_data,
        coalesce(scorecard_summarised.kpis_target_met, 0) as kpis_target_met,
        coalesce(scorecard_summarised.kpis_with_target, 0) as kpis_with_target,
        coalesce(scorecard_summarised.kpis_maturing, 0) as kpis_maturing,
        coalesce(scorecard_summarised.kpis_no_target, 0) as kpis_no_target,
        coalesce(scorecard_summarised.kpis_provisional, 0) as kpis_provisional,
        coalesce(scorecard_summarised.kpis_total, 0) as kpis_total,
        '{{ chosen_attribution.rule }}' as attribution_rule,
        {{ text_literal(chosen_attribution.channels | join(', ')
            if chosen_attribution.channels else none) }} as attribution_channels,
        {# Which owner a breach belongs to: the owner at MQL time when the
           lead_owner_history gave one for any MQL of the period. #}
        case
            when coalesce(owners_summarised.mqls_owner_from_history, 0) > 0
                then 'owner_at_mql'
            else 'current_owner'
        end as owner_rule,
        coalesce(owners_summarised.mqls_reassigned_since_mql, 0) as mqls_reassigned_since_mql,
        {{ text_literal(missing.get('lead_activities')) }} as handoff_clock_missing_because
    from agreements
    inner join sequenced
        on agreements.agreement_id = sequenced.agreement_id
    left join scorecard_summarised
        on agreements.agreement_id = scorecard_summarised.agreement_id
    left join owners_summarised
        on agreements.agreement_id = owners_summarised.agreement_id

)

select * from final
