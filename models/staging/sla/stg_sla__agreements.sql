with

agreements as (

    select * from {{ reference_table('sla_agreements') }}

),

final as (

    select
        -- ids
        agreement_id,

        -- strings
        title,
        timezone as time_zone,

        -- numerics: the goal and the assumed reverse funnel
        cast(revenue_goal as {{ type_double() }}) as revenue_goal,
        cast(marketing_revenue_share as {{ type_double() }}) as marketing_revenue_share,
        cast(average_deal_size as {{ type_double() }}) as average_deal_size,
        cast(visit_to_lead as {{ type_double() }}) as visit_to_lead_rate,
        cast(lead_to_mql as {{ type_double() }}) as lead_to_mql_rate,
        cast(mql_to_sql as {{ type_double() }}) as mql_to_sql_rate,
        cast(sql_to_opportunity as {{ type_double() }}) as sql_to_opportunity_rate,
        cast(opportunity_to_proposal as {{ type_double() }}) as opportunity_to_proposal_rate,
        cast(proposal_to_win as {{ type_double() }}) as proposal_to_win_rate,

        -- numerics: the hand-off protocol
        cast(first_touch_business_hours as {{ type_double() }}) as first_touch_business_hours,
        cast(min_touch_attempts as {{ dbt.type_int() }}) as min_touch_attempts,
        cast(touch_window_days as {{ dbt.type_int() }}) as touch_window_days,
        {# How long a cohort matures, and the smallest sample judged: empty
           cells fall back to the project-wide defaults (dbt vars). #}
        cast(coalesce(conversion_window_days, {{ var('conversion_window_days') }})
            as {{ dbt.type_int() }}) as conversion_window_days,
        cast(coalesce(min_sample, {{ var('min_sample') }}) as {{ dbt.type_int() }})
            as min_sample,
        {{ hhmm_to_minutes('business_day_start') }} as business_day_start_minute,
        {{ hhmm_to_minutes('business_day_end') }} as business_day_end_minute,

        -- dates (local to the agreement's time zone, inclusive)
        cast(starts_on as date) as period_start_date,
        cast(ends_on as date) as period_end_date

    from agreements

)

select * from final
