{#- Marketing's KPIs per agreement period and per month of it (window_key).
    Each KPI column carries `meta.kpi` in fct_marketing_kpis.yml; the report
    models unpivot them. -#}
with

agreements as (

    select * from {{ ref('int_kpi_evaluations') }}

),

windows as (

    select * from {{ ref('int_kpi_windows') }}

),

sessions as (

    select * from {{ ref('stg_web__sessions') }}
    where quarantine_reason is null

),

leads as (

    select * from {{ ref('stg_crm__leads') }}
    where quarantine_reason is null

),

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}
    where quarantine_reason is null

),

revenue as (

    select * from {{ ref('int_revenue_validated') }}
    where quarantine_reason is null

),

sessions_in_period as (

    select
        agreements.agreement_id,
        cast({{ dbt.date_trunc('month', 'sessions.session_date') }} as date)
            as month_start_date,
        sessions.sessions
    from agreements
    inner join sessions
        on {{ date_in_agreement_window('sessions.session_date') }}

),

data_shape as (

    {# Issue #19: a rate whose denominator cannot differ from its numerator
       in this data is no data, not 100%: when no lead at all lacks an MQL
       date, the data holds only MQLs (Olist's leads table is its MQL list). #}
    select coalesce({{ count_where("mql_at is null") }}, 0) as leads_without_mql
    from leads

),

amounts_recorded as (

    select coalesce({{ count_where("amount is not null") }}, 0) as opportunities_with_amount
    from opportunities

),

leads_in_period as (

    select
        agreements.agreement_id,
        {{ local_month('leads.created_at') }} as month_start_date,
        {{ local_date('leads.created_at', 'agreements.time_zone') }} as created_local_date,
        agreements.conversion_window_days,
        {# The matured cohort of lead_to_mql_rate: leads old enough to have
           had conversion_window_days to become MQLs. #}
        {{ local_date('leads.created_at', 'agreements.time_zone') }}
            <= {{ dbt.dateadd('day', '-agreements.conversion_window_days',
                'agreements.as_of_date') }} as is_cohort_matured,
        leads.mql_at is not null
            and {{ local_date('leads.mql_at', 'agreements.time_zone') }}
                <= agreements.as_of_date as is_mql_by_as_of
    from agreements
    inner join leads
        on {{ in_agreement_window('leads.created_at') }}

),

mqls_in_period as (

    select
        agreements.agreement_id,
        {{ local_month('leads.mql_at') }} as month_start_date
    from agreements
    inner join leads
        on leads.mql_at is not null
        and {{ in_agreement_window('leads.mql_at') }}

),

pipeline_in_period as (

    select
        agreements.agreement_id,
        {{ local_month('opportunities.created_at') }} as month_start_date,
        opportunities.is_marketing_sourced,
        opportunities.amount
    from agreements
    inner join opportunities
        on {{ in_agreement_window('opportunities.created_at') }}

),

revenue_in_period as (

    select
        agreements.agreement_id,
        cast({{ dbt.date_trunc('month', 'revenue.booked_date') }} as date)
            as month_start_date,
        revenue.is_marketing_sourced,
        revenue.amount
    from agreements
    inner join revenue
        on revenue.revenue_type = 'new_business'
        and {{ date_in_agreement_window('revenue.booked_date') }}

),

sessions_counted as (

    select
        agreement_id,
        {{ kpi_window_key() }} as window_key,
        cast(sum(sessions) as {{ dbt.type_bigint() }}) as web_sessions
    from sessions_in_period
    {{ group_by_kpi_windows() }}

),

leads_counted as (

    select
        agreement_id,
        {{ kpi_window_key() }} as window_key,
        count(*) as new_leads,
        {{ count_where("is_cohort_matured") }} as lead_cohort_size,
        {{ count_where("is_cohort_matured and is_mql_by_as_of") }} as lead_cohort_converted_to_mql,
        {{ count_where("is_mql_by_as_of") }} as leads_converted_so_far,
        {# The day the youngest lead of the window has had its conversion window. #}
        cast({{ dbt.dateadd('day', 'max(conversion_window_days)', 'max(created_local_date)') }}
            as date) as lead_cohort_matures_on
    from leads_in_period
    {{ group_by_kpi_windows() }}

),

mqls_counted as (

    select
        agreement_id,
        {{ kpi_window_key() }} as window_key,
        count(*) as mqls
    from mqls_in_period
    {{ group_by_kpi_windows() }}

),

pipeline_summed as (

    select
        agreement_id,
        {{ kpi_window_key() }} as window_key,
        cast(sum(case when is_marketing_sourced then amount end) as {{ type_double() }})
            as marketing_sourced_pipeline,
        {{ count_where("is_marketing_sourced") }} as marketing_sourced_opportunities,
        cast(sum(amount) as {{ type_double() }}) as pipeline_all_sources
    from pipeline_in_period
    {{ group_by_kpi_windows() }}

),

revenue_summed as (

    select
        agreement_id,
        {{ kpi_window_key() }} as window_key,
        cast(sum(case when is_marketing_sourced then amount else 0 end) as {{ type_double() }})
            as marketing_sourced_revenue,
        cast(sum(amount) as {{ type_double() }}) as new_revenue_all_sources
    from revenue_in_period
    {{ group_by_kpi_windows() }}

),

matured as (

    select
        windows.kpi_window_id,
        windows.agreement_id,
        windows.window_key,
        windows.month_start_date,
        coalesce(sessions_counted.web_sessions, 0) as web_sessions,
        coalesce(leads_counted.new_leads, 0) as new_leads,
        coalesce(mqls_counted.mqls, 0) as mqls,
        coalesce(leads_counted.lead_cohort_size, 0) as lead_cohort_size,
        coalesce(leads_counted.lead_cohort_converted_to_mql, 0)
            as lead_cohort_converted_to_mql,
        coalesce(leads_counted.leads_converted_so_far, 0) as leads_converted_so_far,
        {# Issue #19: a window with leads none of which has had its
           conversion window is maturing, not no data: the value so far is
           shown, with the day it matures. #}
        coalesce(leads_counted.lead_cohort_size, 0) = 0
            and coalesce(leads_counted.new_leads, 0) > 0 as is_lead_cohort_maturing,
        leads_counted.lead_cohort_matures_on,
        data_shape.leads_without_mql = 0 as is_only_mqls,
        {# No deal in the window is $0 of pipeline; deals whose amounts are
           all unknown are no data, not $0 (issues #7 and #9). #}
        case
            when pipeline_summed.window_key is null
                or pipeline_summed.marketing_sourced_opportunities = 0 then 0
            else pipeline_summed.marketing_sourced_pipeline
        end as marketing_sourced_pipeline,
        case
            when pipeline_summed.window_key is null then 0
            else pipeline_summed.pipeline_all_sources
        end as pipeline_all_sources,
        amounts_recorded.opportunities_with_amount = 0 as has_no_amounts,
        coalesce(revenue_summed.marketing_sourced_revenue, 0)
            as marketing_sourced_revenue,
        coalesce(revenue_summed.new_revenue_all_sources, 0) as new_revenue_all_sources
    from windows
    cross join data_shape
    cross join amounts_recorded
    {% for cte in ['sessions_counted', 'leads_counted', 'mqls_counted',
                   'pipeline_summed', 'revenue_summed'] %}
    left join {{ cte }}
        on windows.agreement_id = {{ cte }}.agreement_id
        and windows.window_key = {{ cte }}.window_key
    {% endfor %}

),

final as (

    select
        matured.kpi_window_id,
        matured.agreement_id,
        matured.window_key,
        matured.month_start_date,
        matured.web_sessions,
        matured.new_leads,
        matured.mqls,
        case
            when matured.is_only_mqls then null
            when matured.is_lead_cohort_maturing then {{ safe_ratio(
                'matured.leads_converted_so_far', 'matured.new_leads') }}
            else {{ safe_ratio('matured.lead_cohort_converted_to_mql',
                'matured.lead_cohort_size') }}
        end as lead_to_mql_rate,
        case when matured.is_only_mqls then 'the data holds only MQLs' end
            as lead_to_mql_rate_no_data_reason,
        case when matured.is_lead_cohort_maturing then matured.lead_cohort_matures_on end
            as lead_to_mql_rate_matures_on,
        case
            when matured.is_lead_cohort_maturing then matured.new_leads
            else matured.lead_cohort_size
        end as lead_conversion_cases,
        case
            when not matured.has_no_amounts then matured.marketing_sourced_pipeline
        end as marketing_sourced_pipeline,
        case when matured.has_no_amounts then 'no deal amounts recorded' end
            as marketing_sourced_pipeline_no_data_reason,
        case
            when not matured.has_no_amounts then matured.pipeline_all_sources
        end as pipeline_all_sources,
        case
            when not matured.has_no_amounts
                then matured.pipeline_all_sources - matured.marketing_sourced_pipeline
        end as pipeline_sales_sourced,
        matured.marketing_sourced_revenue,
        matured.new_revenue_all_sources,
        matured.new_revenue_all_sources - matured.marketing_sourced_revenue
            as revenue_sales_sourced,
        matured.lead_cohort_size,
        matured.lead_cohort_converted_to_mql,
        matured.leads_converted_so_far
    from matured

)

select * from final
