{#- Week by week within each period (weeks start on Monday, local time):
    leads, MQLs, the share of due MQLs touched within the SLA, and
    new-business revenue. What the trend charts plot. -#}
with

agreements as (

    select * from {{ ref('dim_agreements') }}

),

leads as (

    select * from {{ ref('stg_crm__leads') }}
    where quarantine_reason is null

),

handoffs as (

    select * from {{ ref('fct_mql_handoffs') }}

),

revenue as (

    select * from {{ ref('int_revenue_validated') }}
    where quarantine_reason is null
        and revenue_type = 'new_business'

),

events as (

    select
        agreements.agreement_id,
        {{ local_date('leads.created_at', 'agreements.time_zone') }} as event_date,
        1 as new_leads,
        0 as mqls,
        0 as mqls_due_for_first_touch,
        0 as mqls_touched_within_sla,
        0 as new_revenue
    from agreements
    inner join leads
        on {{ in_agreement_window('leads.created_at') }}

    union all

    select
        handoffs.agreement_id,
        {{ local_date('handoffs.mql_at', 'agreements.time_zone') }} as event_date,
        0 as new_leads,
        1 as mqls,
        case when handoffs.is_due_for_first_touch then 1 else 0 end
            as mqls_due_for_first_touch,
        case when handoffs.is_touched_within_sla then 1 else 0 end
            as mqls_touched_within_sla,
        0 as new_revenue
    from handoffs
    inner join agreements
        on handoffs.agreement_id = agreements.agreement_id

    union all

    select
        agreements.agreement_id,
        revenue.booked_date as event_date,
        0 as new_leads,
        0 as mqls,
        0 as mqls_due_for_first_touch,
        0 as mqls_touched_within_sla,
        cast(revenue.amount as {{ type_double() }}) as new_revenue
    from agreements
    inner join revenue
        on {{ date_in_agreement_window('revenue.booked_date') }}

),

weekly as (

    select
        agreement_id,
        cast({{ dbt.date_trunc('week', 'event_date') }} as date) as week_start_date,
        cast(sum(new_leads) as {{ dbt.type_bigint() }}) as new_leads,
        cast(sum(mqls) as {{ dbt.type_bigint() }}) as mqls,
        cast(sum(mqls_due_for_first_touch) as {{ dbt.type_bigint() }}) as mqls_due_for_first_touch,
        cast(sum(mqls_touched_within_sla) as {{ dbt.type_bigint() }}) as mqls_touched_within_sla,
        cast(sum(new_revenue) as {{ type_double() }}) as new_revenue
    from events
    group by agreement_id, cast({{ dbt.date_trunc('week', 'event_date') }} as date)

),

final as (

    select
        {{ composite_key(['agreement_id', 'week_start_date']) }} as agreement_week_id,
        agreement_id,
        week_start_date,
        {# Issue #19: a week of a KPI the team lacks the input for is no data. #}
        {{ measured_for('new_leads', 'new_leads', dbt.type_bigint()) }} as new_leads,
        {{ measured_for('mqls', 'mqls', dbt.type_bigint()) }} as mqls,
        {{ measured_for('first_touch_within_sla_rate', 'mqls_due_for_first_touch',
            dbt.type_bigint()) }} as mqls_due_for_first_touch,
        {{ measured_for('first_touch_within_sla_rate', 'mqls_touched_within_sla',
            dbt.type_bigint()) }} as mqls_touched_within_sla,
        {{ measured_for('first_touch_within_sla_rate',
            safe_ratio('mqls_touched_within_sla', 'mqls_due_for_first_touch')) }}
            as first_touch_within_sla_rate,
        {{ measured_for('new_revenue', 'new_revenue') }} as new_revenue
    from weekly

)

select * from final
