{#- The latest event of each raw table among the rows used: a stale export
    shows here long before it shows in the KPIs (issue #11). Dates (a
    booking, a day of sessions) count as their midnight. -#}
with

leads as (

    select max(created_at) as latest_event_at, count(*) as rows_used
    from {{ ref('stg_crm__leads') }}
    where rejection_reason is null

),

activities as (

    select max(occurred_at) as latest_event_at, count(*) as rows_used
    from {{ ref('int_activities_validated') }}
    where rejection_reason is null

),

opportunities as (

    select max(created_at) as latest_event_at, count(*) as rows_used
    from {{ ref('int_opportunities_validated') }}
    where rejection_reason is null

),

revenue as (

    select
        max(cast(booked_date as {{ dbt.type_timestamp() }})) as latest_event_at,
        count(*) as rows_used
    from {{ ref('int_revenue_validated') }}
    where rejection_reason is null

),

sessions as (

    select
        max(cast(session_date as {{ dbt.type_timestamp() }})) as latest_event_at,
        count(*) as rows_used
    from {{ ref('stg_web__sessions') }}
    where rejection_reason is null

),

unioned as (

    select 'leads' as raw_table, 'created_at' as event_column, * from leads
    union all
    select 'lead_activities', 'occurred_at', * from activities
    union all
    select 'opportunities', 'created_at', * from opportunities
    union all
    select 'revenue', 'booked_on', * from revenue
    union all
    select 'web_sessions', 'session_date', * from sessions

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
