{#- Salesforce Task and Event -> the raw `lead_activities` contract.

    The touch time is CompletedDateTime (else CreatedDate) for a task and
    CreatedDate for an event, never ActivityDate: that is a due date whose
    time of day means nothing. Only activities on leads count (WhoId with
    the Lead key prefix 00Q; tasks on contacts belong to accounts already
    sold). Automated = a TaskSubtype the org lists (automated_task_subtypes,
    default ListEmail: mass e-mail), never a sales touch. -#}
with

tasks as (

    select * from {{ raw_table('salesforce', 'task') }}

),

events as (

    select * from {{ raw_table('salesforce', 'event') }}

),

tasks_renamed as (

    select
        -- ids
        {{ clean_text(source_column('task', 'id')) }} as activity_id,
        {{ clean_text(source_column('task', 'who_id')) }} as lead_id,
        {{ clean_text(source_column('task', 'owner_id')) }} as rep_id,

        -- strings
        {{ clean_text(source_column('task', 'task_subtype')) }} as subtype,
        {{ clean_text(source_column('task', 'type')) }} as activity_kind,

        -- booleans
        coalesce({{ parse_boolean(source_column('task', 'is_deleted')) }}, false)
            as is_deleted,

        -- timestamps
        coalesce(
            {{ crm_timestamp_text(source_column('task', 'completed_date_time')) }},
            {{ crm_timestamp_text(source_column('task', 'created_date')) }}
        ) as occurred_at

    from tasks

),

events_renamed as (

    select
        -- ids
        {{ clean_text(source_column('event', 'id')) }} as activity_id,
        {{ clean_text(source_column('event', 'who_id')) }} as lead_id,
        {{ clean_text(source_column('event', 'owner_id')) }} as rep_id,

        -- strings
        'Event' as subtype,
        'Meeting' as activity_kind,

        -- booleans
        coalesce({{ parse_boolean(source_column('event', 'is_deleted')) }}, false)
            as is_deleted,

        -- timestamps
        {{ crm_timestamp_text(source_column('event', 'created_date')) }} as occurred_at

    from events

),

unioned as (

    select * from tasks_renamed
    union all
    select * from events_renamed

),

final as (

    select
        activity_id,
        lead_id,
        occurred_at,
        case
            when subtype = 'Call' or activity_kind = 'Call' then 'call'
            when subtype in ('Email', 'ListEmail') or activity_kind = 'Email' then 'email'
            when subtype = 'LinkedIn' then 'social'
            when subtype = 'Event' or activity_kind = 'Meeting' then 'meeting'
            else lower(coalesce(activity_kind, subtype))
        end as activity_type,
        rep_id,
        case
            when subtype in {{ text_list(source_setting('automated_task_subtypes')) }}
                then 'true'
            else 'false'
        end as is_automated
    from unioned
    where not is_deleted
        and lead_id like '00Q%'

)

select * from final
