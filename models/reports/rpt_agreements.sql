{#- Every agreement period, final or in progress, with its terms and the
    headline result: what the History and Overview pages show. -#}
with

agreements as (

    select * from {{ ref('dim_agreements') }}

),

scorecard as (

    select * from {{ ref('rpt_kpi_scorecard') }}

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
        {{ count_where("is_target_met") }} as kpis_target_met,
        {{ count_where("target is not null") }} as kpis_with_target,
        max(case when kpi_id = 'new_revenue' then actual end) as new_revenue,
        max(case when kpi_id = 'new_revenue' then status end) as revenue_status
    from scorecard
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
        coalesce(scorecard_summarised.new_revenue, 0) as new_revenue,
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
        coalesce(scorecard_summarised.kpis_with_target, 0) as kpis_with_target
    from agreements
    inner join sequenced
        on agreements.agreement_id = sequenced.agreement_id
    left join scorecard_summarised
        on agreements.agreement_id = scorecard_summarised.agreement_id

)

select * from final
