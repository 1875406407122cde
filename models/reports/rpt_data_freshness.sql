{#- The latest event of each raw table among the rows used: a stale export
    shows here long before it shows in the KPIs (issue #11). Dates (a
    booking, a day of sessions) count as their midnight. -#}
with

leads as (

    select
        'leads' as raw_table,
        'created_at' as event_column,
        max(created_at) as latest_event_at,
        count(*) as rows_used
    from {{ ref('stg_crm__leads') }}
    where quarantine_reason is null

),

activities as (

    select
        'lead_activities' as raw_table,
        'occurred_at' as event_column,
        max(occurred_at) as latest_event_at,
        count(*) as rows_used
    from {{ ref('int_activities_validated') }}
    where quarantine_reason is null

),

opportunities as (

    select
        'opportunities' as raw_table,
        'created_at' as event_column,
        max(created_at) as latest_event_at,
        count(*) as rows_used
    from {{ ref('int_opportunities_validated') }}
    where quarantine_reason is null

),

revenue as (

    select
        'revenue' as raw_table,
        'booked_on' as event_column,
        max(cast(booked_date as {{ dbt.type_timestamp() }})) as latest_event_at,
        count(*) as rows_used
    from {{ ref('int_revenue_validated') }}
    where quarantine_reason is null

),

sessions as (

    select
        'web_sessions' as raw_table,
        'session_date' as event_column,
        max(cast(session_date as {{ dbt.type_timestamp() }})) as latest_event_at,
        count(*) as rows_used
    from {{ ref('stg_web__sessions') }}
    where quarantine_reason is null

),

unioned as (

    select * from leads
    union all
    select * from activities
    union all
    select * from opportunities
    union all
    select * from revenue
    union all
    select * from sessions

),

final as (

    select
        raw_table,
        event_column,
        cast(latest_event_at as {{ dbt.type_timestamp() }}) as latest_event_at,
        cast(rows_used as {{ dbt.type_bigint() }}) as rows_used
    from unioned

)

select * from final
