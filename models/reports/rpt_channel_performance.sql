{#- Per agreement period and acquisition channel: traffic, leads, MQLs, the
    MQL->SQL conversion, and the marketing-sourced pipeline and new-business
    revenue (the attribution rule in force, issue #19). A measure whose KPI
    lacks an input is null (no data). -#}
with

agreements as (

    select * from {{ ref('dim_agreements') }}

),

sessions as (

    select * from {{ ref('stg_web__sessions') }}
    where quarantine_reason is null

),

leads as (

    select * from {{ ref('stg_crm__leads') }}
    where quarantine_reason is null

),

handoffs as (

    select * from {{ ref('fct_mql_handoffs') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}
    where quarantine_reason is null

),

revenue as (

    select * from {{ ref('int_revenue_validated') }}
    where quarantine_reason is null
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
        on opportunities.is_marketing_sourced
        and {{ in_agreement_window('opportunities.created_at') }}
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
        and opportunities.is_marketing_sourced
    inner join leads
        on opportunities.lead_id = leads.lead_id
    group by agreements.agreement_id, leads.channel

),

channels as (

    {# Every channel with sessions, leads or MQLs in the period: a team
       without web analytics still sees its MQLs by channel. #}
    {% for cte in ['sessions_by_channel', 'leads_by_channel', 'mqls_by_channel'] %}
    select
        agreement_id,
        channel
    from {{ cte }}
    {% if not loop.last %}union{% endif %}
    {% endfor %}

),

final as (

    select
        {{ composite_key(['channels.agreement_id', 'channels.channel']) }}
            as agreement_channel_id,
        channels.agreement_id,
        channels.channel,
        {{ measured_for('web_sessions', 'coalesce(sessions_by_channel.web_sessions, 0)',
            dbt.type_bigint()) }} as web_sessions,
        coalesce(leads_by_channel.new_leads, 0) as new_leads,
        coalesce(mqls_by_channel.mqls, 0) as mqls,
        {{ measured_for('mql_to_sql_rate',
            safe_ratio('mqls_by_channel.mql_cohort_converted_to_sql',
                'mqls_by_channel.mql_cohort_size')) }} as mql_to_sql_rate,
        {{ measured_for('marketing_sourced_pipeline',
            'coalesce(pipeline_by_channel.pipeline, 0)') }} as pipeline,
        {{ measured_for('marketing_sourced_revenue',
            'coalesce(revenue_by_channel.new_revenue, 0)') }} as new_revenue
    from channels
    {% for cte in ['sessions_by_channel', 'leads_by_channel', 'mqls_by_channel',
                   'pipeline_by_channel', 'revenue_by_channel'] %}
    left join {{ cte }}
        on channels.agreement_id = {{ cte }}.agreement_id
        and channels.channel = {{ cte }}.channel
    {% endfor %}

)

select * from final
