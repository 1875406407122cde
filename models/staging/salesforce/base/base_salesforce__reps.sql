{#- Salesforce User -> the raw `reps` contract. Every user is on the sales
    team unless crm_source.yml names them (marketing_user_ids) or their role
    (marketing_role_ids): only sales touches count (issue #2). A user's
    name is shown on rep pages (team members, not leads). -#}
with

source as (

    select * from {{ raw_table('salesforce', 'user') }}

),

renamed as (

    select
        -- ids
        {{ clean_text(source_column('user', 'id')) }} as rep_id,
        {{ clean_text(source_column('user', 'user_role_id')) }} as user_role_id,

        -- strings
        {{ clean_text(source_column('user', 'name')) }} as rep_name,

        -- booleans
        {{ parse_boolean(source_column('user', 'is_active')) }} as is_active,

        -- dates
        {{ crm_date_text(source_column('user', 'created_date')) }} as created_on

    from source

),

final as (

    select
        rep_id,
        rep_name,
        case
            when rep_id in {{ text_list(source_setting('marketing_user_ids')) }}
                or user_role_id in {{ text_list(source_setting('marketing_role_ids')) }}
                then 'marketing'
            else 'sales'
        end as team,
        {# A user without a creation date has been there all along. #}
        coalesce(created_on, '1900-01-01') as started_on,
        cast(null as {{ dbt.type_string() }}) as ended_on
    from renamed

)

select * from final
