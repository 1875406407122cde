with

agreements as (

    select * from {{ ref('int_agreements_evaluated') }}

),

final as (

    select
        agreement_id,
        title,
        time_zone,
        revenue_goal,
        marketing_revenue_share,
        average_deal_size,
        visit_to_lead_rate,
        lead_to_mql_rate,
        mql_to_sql_rate,
        sql_to_opportunity_rate,
        opportunity_to_proposal_rate,
        proposal_to_win_rate,
        first_touch_business_hours,
        min_touch_attempts,
        touch_window_days,
        conversion_window_days,
        min_sample,
        business_day_start_minute,
        business_day_end_minute,
        period_start_date,
        period_end_date,
        as_of_date,
        evaluated_through_date,
        period_days,
        elapsed_days,
        period_days - elapsed_days as days_left,
        period_state
    from agreements

)

select * from final
