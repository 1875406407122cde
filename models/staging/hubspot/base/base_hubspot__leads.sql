{#- HubSpot contact -> the raw `leads` contract (stg_crm__leads types and
    checks it). property_email, property_firstname, property_lastname and
    property_phone are deliberately not selected: this is the first model
    that reads contacts, so nothing private goes further.

    MQL and SQL dates come from whichever property family the account fills:
    hs_v2_date_entered_* (current accounts) or hs_lifecyclestage_*_date
    (older ones). -#}
with

source as (

    select * from {{ raw_table('hubspot', 'contact') }}

),

renamed as (

    select
        -- ids
        {{ clean_text(source_column('contact', 'id')) }} as lead_id,
        {{ clean_text(source_column('contact', 'owner_id')) }} as owner_id,

        -- strings
        {{ clean_text(source_column('contact', 'company')) }} as company,
        {{ mapped_value(source_column('contact', 'analytics_source'),
            source_setting('analytics_source_channels')) }} as source,  -- noqa: RF04
        {{ clean_text(source_column('contact', 'lead_status')) }} as lead_status,

        -- booleans
        coalesce({{ parse_boolean(source_column('contact', 'is_deleted')) }}, false)
            as is_deleted,

        -- timestamps (ISO text; epoch milliseconds converted)
        {{ crm_timestamp_text(source_column('contact', 'created_date')) }} as created_at,
        coalesce(
            {{ crm_timestamp_text(source_column('contact', 'mql_date_new')) }},
            {{ crm_timestamp_text(source_column('contact', 'mql_date_old')) }}
        ) as mql_at,
        coalesce(
            {{ crm_timestamp_text(source_column('contact', 'sql_date_new')) }},
            {{ crm_timestamp_text(source_column('contact', 'sql_date_old')) }}
        ) as sql_at,
        {{ crm_timestamp_text(source_column('contact', 'disqualified_date')) }}
            as disqualified_date

    from source

),

final as (

    select
        lead_id,
        created_at,
        company,
        source,
        owner_id,
        mql_at,
        cast(null as {{ dbt.type_string() }}) as sal_at,
        sql_at,
        {# Disqualified = a lead status the org lists (disqualified_lead_statuses). #}
        case
            when lead_status in {{ text_list(source_setting('disqualified_lead_statuses')) }}
                then disqualified_date
        end as disqualified_at,
        case
            when lead_status in {{ text_list(source_setting('disqualified_lead_statuses')) }}
                then lead_status
        end as disqualified_reason
    from renamed
    where not is_deleted

)

select * from final
