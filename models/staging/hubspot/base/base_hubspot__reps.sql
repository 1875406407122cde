{#- HubSpot owner -> the raw `reps` contract. Every owner is on the sales
    team unless crm_source.yml names them (marketing_owner_ids): only sales
    touches count (issue #2). The owner's e-mail address is not selected. -#}
with

source as (

    select * from {{ raw_table('hubspot', 'owner') }}

),

renamed as (

    select
        -- ids
        {{ clean_text(source_column('owner', 'id')) }} as rep_id,

        -- strings
        concat_ws(' ', {{ clean_text(source_column('owner', 'first_name')) }},
            {{ clean_text(source_column('owner', 'last_name')) }}) as rep_name,

        -- dates
        {{ crm_date_text(source_column('owner', 'created_at')) }} as created_on

    from source

),

final as (

    select
        rep_id,
        nullif(rep_name, '') as rep_name,
        case
            when rep_id in {{ text_list(source_setting('marketing_owner_ids')) }}
                then 'marketing'
            else 'sales'
        end as team,
        {# An owner without a creation date has been there all along. #}
        coalesce(created_on, '1900-01-01') as started_on,
        cast(null as {{ dbt.type_string() }}) as ended_on
    from renamed

)

select * from final
