{#- Salesforce LeadHistory (Field = Owner) -> the raw `lead_owner_history`
    contract (issue #19): who owned each lead since when, so a breach stays
    with the owner at MQL time.

    LeadHistory records changes only, and writes each owner change twice:
    once with the users' Ids, once with their names. The Id rows are the
    ones whose old or new value is a User Id (the User table is the key
    lookup). Each change gives the new owner from its CreatedDate; the old
    owner of a lead's first change owned it since creation (valid_from
    empty). Deleted history rows are not history. Without the table (field
    history not tracked, or not exported) the model is empty and every lead
    keeps its current owner. -#}
with

history as (

    select * from {{ optional_raw_table('salesforce', 'lead_history',
        ['id', 'lead_id', 'field', 'old_value', 'new_value', 'created_date',
         'is_deleted']) }}

),

users as (

    select * from {{ raw_table('salesforce', 'user') }}

),

user_ids as (

    select distinct {{ clean_text(source_column('user', 'id')) }} as user_id
    from users

),

history_renamed as (

    select
        -- ids
        {{ clean_text(source_column('lead_history', 'lead_id')) }} as lead_id,
        {{ clean_text(source_column('lead_history', 'old_value')) }} as old_owner_id,
        {{ clean_text(source_column('lead_history', 'new_value')) }} as new_owner_id,

        -- strings
        {{ clean_text(source_column('lead_history', 'field')) }} as field_name,

        -- booleans
        coalesce({{ parse_boolean(source_column('lead_history', 'is_deleted')) }}, false)
            as is_deleted,

        -- timestamps (ISO text)
        {{ crm_timestamp_text(source_column('lead_history', 'created_date')) }} as changed_at

    from history

),

owner_changes as (

    select
        history_renamed.lead_id,
        history_renamed.old_owner_id,
        history_renamed.new_owner_id,
        history_renamed.changed_at,
        row_number() over (
            partition by history_renamed.lead_id
            order by {{ parse_utc_timestamp('history_renamed.changed_at') }},
                history_renamed.new_owner_id
        ) as change_number
    from history_renamed
    left join user_ids as old_users
        on history_renamed.old_owner_id = old_users.user_id
    left join user_ids as new_users
        on history_renamed.new_owner_id = new_users.user_id
    where history_renamed.field_name = 'Owner'
        and not history_renamed.is_deleted
        and (old_users.user_id is not null or new_users.user_id is not null)

),

final as (

    select
        lead_id,
        new_owner_id as owner_id,
        changed_at as valid_from
    from owner_changes

    union all

    select
        lead_id,
        old_owner_id as owner_id,
        cast(null as {{ dbt.type_string() }}) as valid_from
    from owner_changes
    where change_number = 1

)

select * from final
