{#- Each agreement seen from the as-of date: how much of it has elapsed,
    through which local day it is evaluated, and whether it is final. The
    as-of day's evaluations of int_kpi_evaluations (issue #20: the same
    columns are computed there for earlier weekly evaluations too). -#}
with

evaluations as (

    select * from {{ ref('int_kpi_evaluations') }}

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
        period_state
    from evaluations
    where weeks_before_as_of = 0

)

select * from final
