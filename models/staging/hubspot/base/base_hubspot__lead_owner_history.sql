{#- HubSpot contact property history of hubspot_owner_id -> the raw
    `lead_owner_history` contract (issue #19). Fivetran lands every value a
    contact property took in contact_property_history (contact_id, name,
    value, timestamp; its dbt package calls the timestamp
    change_timestamp): each hubspot_owner_id value is the owner from its
    timestamp on, the first one included. An empty value means the contact
    had no owner. Without the table every lead keeps its current owner. -#}
with

history as (

    select * from {{ optional_raw_table('hubspot', 'contact_property_history',
        ['contact_id', 'name', 'value', 'timestamp']) }}

),

renamed as (

    select
        -- ids
        {{ clean_text(source_column('contact_property_history', 'contact_id')) }} as lead_id,
        {{ clean_text(source_column('contact_property_history', 'value')) }} as owner_id,

        -- strings
        {{ clean_text(source_column('contact_property_history', 'name')) }} as property_name,

        -- timestamps (ISO text; epoch milliseconds converted)
        {{ crm_timestamp_text(source_column('contact_property_history', 'timestamp')) }}
            as valid_from

    from history

),

final as (

    select
        lead_id,
        owner_id,
        valid_from
    from renamed
    where property_name = 'hubspot_owner_id'

)

select * from final
