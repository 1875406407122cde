{#- Marketing's KPIs, one row per agreement period. Each KPI column carries
    `meta.kpi` in fct_marketing_kpis.yml; the report unpivots them. -#}
with

agreements as (

    select * from {{ ref('int_agreements_evaluated') }}

),

sessions as (

    select * from {{ ref('stg_web__sessions') }}
    where rejection_reason is null

),

leads as (

    select * from {{ ref('stg_crm__leads') }}
    where rejection_reason is null

),

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}
    where rejection_reason is null

),

revenue as (

    select * from {{ ref('int_revenue_validated') }}
    where rejection_reason is null

),

sessions_in_period as (

    select
        agreements.agreement_id,
        cast(sum(sessions.sessions) as {{ dbt.type_bigint() }}) as web_sessions
    from agreements
    inner join sessions
        on {{ date_in_agreement_window('sessions.session_date') }}
    group by agreements.agreement_id

),

leads_in_period as (

    select
        agreements.agreement_id,
        count(*) as new_leads
    from agreements
    inner join leads
        on {{ in_agreement_window('leads.created_at') }}
    group by agreements.agreement_id

),

mqls_in_period as (

    select
        agreements.agreement_id,
        count(*) as mqls
    from agreements
    inner join leads
        on leads.mql_at is not null
        and {{ in_agreement_window('leads.mql_at') }}
    group by agreements.agreement_id

),

pipeline_in_period as (

    select
        agreements.agreement_id,
        cast(sum(opportunities.amount) as {{ type_double() }}) as marketing_sourced_pipeline
    from agreements
    inner join opportunities
        on opportunities.is_marketing_sourced
        and {{ in_agreement_window('opportunities.created_at') }}
    group by agreements.agreement_id

),

revenue_in_period as (

    select
        agreements.agreement_id,
        cast(sum(revenue.amount) as {{ type_double() }}) as marketing_sourced_revenue
    from agreements
    inner join revenue
        on revenue.revenue_type = 'new_business'
        and revenue.is_marketing_sourced
        and {{ date_in_agreement_window('revenue.booked_date') }}
    group by agreements.agreement_id

),

final as (

    select
        agreements.agreement_id,
        coalesce(sessions_in_period.web_sessions, 0) as web_sessions,
        coalesce(leads_in_period.new_leads, 0) as new_leads,
        coalesce(mqls_in_period.mqls, 0) as mqls,
        {{ safe_ratio('mqls_in_period.mqls', 'leads_in_period.new_leads') }}
            as lead_to_mql_rate,
        coalesce(pipeline_in_period.marketing_sourced_pipeline, 0)
            as marketing_sourced_pipeline,
        coalesce(revenue_in_period.marketing_sourced_revenue, 0)
            as marketing_sourced_revenue
    from agreements
    left join sessions_in_period
        on agreements.agreement_id = sessions_in_period.agreement_id
    left join leads_in_period
        on agreements.agreement_id = leads_in_period.agreement_id
    left join mqls_in_period
        on agreements.agreement_id = mqls_in_period.agreement_id
    left join pipeline_in_period
        on agreements.agreement_id = pipeline_in_period.agreement_id
    left join revenue_in_period
        on agreements.agreement_id = revenue_in_period.agreement_id

)

select * from final
