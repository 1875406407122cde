{#- Activities that pass staging checks and point at a usable lead. A row
    pointing at an unknown lead is quarantined, not dropped. Issue #23: only
    the columns read downstream (activity_type is not: 10M rows of it held
    memory through the build). -#}
with

activities as (

    select * from {{ ref('stg_crm__activities') }}

),

leads as (

    select lead_id from {{ ref('stg_crm__leads') }}
    where quarantine_reason is null

),

final as (

    select
        activities.activity_id,
        activities.lead_id,
        activities.rep_id,
        activities.is_automated,
        activities.occurred_at,
        coalesce(
            activities.quarantine_reason,
            case when leads.lead_id is null then 'unknown lead_id' end
        ) as quarantine_reason
    from activities
    left join leads
        on activities.lead_id = leads.lead_id

)

select * from final
