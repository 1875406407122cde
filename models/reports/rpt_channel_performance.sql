{#- Per agreement period and acquisition channel: traffic, leads, MQLs, the
    MQL->SQL conversion, pipeline and new-business revenue. -#}
with

agreements as (

    select * from {{ ref('dim_agreements') }}

),

sessions as (

    select * from {{ ref('stg_web__sessions') }}
    where rejection_reason is null

),

leads as (

    select * from {{ ref('stg_crm__leads') }}
    where rejection_reason is null

),

handoffs as (

    select * from {{ ref('fct_mql_handoffs') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}
    where rejection_reason is null

),

revenue as (

    select * from {{ ref('int_revenue_validated') }}
    where rejection_reason is null
        and revenue_type = 'new_business'

),

sessions_by_channel as (

    select
        agreements.agreement_id,
        sessions.channel,
        cast(sum(sessions.sessions) as {{ dbt.type_bigint() }}) as web_sessions
    from agreements
    inner join sessions
        on {{ date_in_agreement_window('sessions.session_date') }}
    group by agreements.agreement_id, sessions.channel

),

leads_by_channel as (

    select
        agreements.agreement_id,
        leads.channel,
        count(*) as new_leads
    from agreements
    inner join leads
        on {{ in_agreement_window('leads.created_at') }}
    group by agreements.agreement_id, leads.channel

),

mqls_by_channel as (

    select
        agreement_id,
        channel,
        count(*) as mqls,
        {# The matured cohort, as the mql_to_sql_rate KPI counts it. #}
        {{ count_where("is_conversion_matured") }} as mql_cohort_size,
        {{ count_where("is_conversion_matured and is_sql") }} as mql_cohort_converted_to_sql
    from handoffs
    group by agreement_id, channel

),

pipeline_by_channel as (

    select
        agreements.agreement_id,
        leads.channel,
        cast(sum(opportunities.amount) as {{ type_double() }}) as pipeline
    from agreements
    inner join opportunities
        on {{ in_agreement_window('opportunities.created_at') }}
    inner join leads
        on opportunities.lead_id = leads.lead_id
    group by agreements.agreement_id, leads.channel

),

revenue_by_channel as (

    select
        agreements.agreement_id,
        leads.channel,
        cast(sum(revenue.amount) as {{ type_double() }}) as new_revenue
    from agreements
    inner join revenue
        on {{ date_in_agreement_window('revenue.booked_date') }}
    inner join opportunities
        on revenue.opportunity_id = opportunities.opportunity_id
    inner join leads
        on opportunities.lead_id = leads.lead_id
    group by agreements.agreement_id, leads.channel

),

final as (

    select
        {{ composite_key(['sessions_by_channel.agreement_id',
            'sessions_by_channel.channel']) }} as agreement_channel_id,
        sessions_by_channel.agreement_id,
        sessions_by_channel.channel,
        sessions_by_channel.web_sessions,
        coalesce(leads_by_channel.new_leads, 0) as new_leads,
        coalesce(mqls_by_channel.mqls, 0) as mqls,
        {{ safe_ratio('mqls_by_channel.mql_cohort_converted_to_sql',
            'mqls_by_channel.mql_cohort_size') }} as mql_to_sql_rate,
        coalesce(pipeline_by_channel.pipeline, 0) as pipeline,
        coalesce(revenue_by_channel.new_revenue, 0) as new_revenue
    from sessions_by_channel
    left join leads_by_channel
        on sessions_by_channel.agreement_id = leads_by_channel.agreement_id
        and sessions_by_channel.channel = leads_by_channel.channel
    left join mqls_by_channel
        on sessions_by_channel.agreement_id = mqls_by_channel.agreement_id
        and sessions_by_channel.channel = mqls_by_channel.channel
    left join pipeline_by_channel
        on sessions_by_channel.agreement_id = pipeline_by_channel.agreement_id
        and sessions_by_channel.channel = pipeline_by_channel.channel
    left join revenue_by_channel
        on sessions_by_channel.agreement_id = revenue_by_channel.agreement_id
        and sessions_by_channel.channel = revenue_by_channel.channel

)

select * from final
