{#- Salesforce Lead -> the raw `leads` contract (stg_crm__leads types and
    checks it). Email, FirstName, LastName, Name and Phone are deliberately
    not selected: this is the first model that reads the object, so nothing
    private goes further. Deleted leads (IsDeleted, the recycle bin) are not
    leads. -#}
with

source as (

    select * from {{ raw_table('salesforce', 'lead') }}

),

renamed as (

    select
        -- ids
        {{ clean_text(source_column('lead', 'id')) }} as lead_id,
        {{ clean_text(source_column('lead', 'owner_id')) }} as owner_id,

        -- strings
        {{ clean_text(source_column('lead', 'company')) }} as company,
        {{ mapped_value(source_column('lead', 'lead_source'),
            source_setting('lead_source_channels')) }} as source,  -- noqa: RF04
        {{ clean_text(source_column('lead', 'status')) }} as lead_status,
        {{ clean_text(source_column('lead', 'disqualified_reason')) }}
            as disqualified_reason_text,

        -- booleans
        coalesce({{ parse_boolean(source_column('lead', 'is_deleted')) }}, false)
            as is_deleted,

        -- timestamps (ISO text; dates without time at 12:00 UTC)
        {{ crm_timestamp_text(source_column('lead', 'created_date')) }} as created_at,
        {# Salesforce has no standard MQL date: an org custom field
           (mql_date_field, default MQL_Date__c). #}
        {{ crm_timestamp_text(source_column('lead', 'mql_date')) }} as mql_at,
        {# SQL = converted to an opportunity (sql_date_field, default
           ConvertedDate, a date). #}
        {{ crm_timestamp_text(source_column('lead', 'sql_date')) }} as sql_at,
        {{ crm_timestamp_text(source_column('lead', 'disqualified_date')) }}
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
        {# Salesforce records no acceptance date of its own. #}
        cast(null as {{ dbt.type_string() }}) as sal_at,
        sql_at,
        {# Disqualified = a Status the org lists (disqualified_statuses). #}
        case
            when lead_status in {{ text_list(source_setting('disqualified_statuses')) }}
                then disqualified_date
        end as disqualified_at,
        case
            when lead_status in {{ text_list(source_setting('disqualified_statuses')) }}
                then coalesce(disqualified_reason_text, lead_status)
        end as disqualified_reason
    from renamed
    where not is_deleted

)

select * from final
