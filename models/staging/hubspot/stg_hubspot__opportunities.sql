{#- HubSpot deal -> the raw `opportunities` contract.

    Won and lost come from the deal's pipeline stage: its label
    (won_stage_labels, lost_stage_labels) or else its probability (1 won,
    0 lost); the stage's old `closed_won` flag means closed, not won, and is
    not read. A deal with an associated contact is lead-sourced (the first
    contact by id). The stage and contact lookups are the key joins
    HubSpot's layout needs; downstream reads only the contract. -#}
with

deals as (

    select * from {{ raw_table('hubspot', 'deal') }}

),

stages as (

    select * from {{ raw_table('hubspot', 'deal_pipeline_stage') }}

),

deal_contacts as (

    select * from {{ raw_table('hubspot', 'deal_contact') }}

),

deals_renamed as (

    select
        -- ids
        {{ clean_text(source_column('deal', 'id')) }} as opportunity_id,
        {{ clean_text(source_column('deal', 'stage_id')) }} as stage_id,
        {{ clean_text(source_column('deal', 'owner_id')) }} as owner_id,

        -- strings
        {{ clean_text(source_column('deal', 'name')) }} as account_name,
        {{ clean_text(source_column('deal', 'lost_reason')) }} as lost_reason,

        -- numerics (typed by stg_crm__opportunities)
        {{ clean_text(source_column('deal', 'amount')) }} as amount,

        -- booleans
        coalesce({{ parse_boolean(source_column('deal', 'is_deleted')) }}, false)
            as is_deleted,

        -- timestamps
        {{ crm_timestamp_text(source_column('deal', 'created_date')) }} as created_at,
        {{ crm_timestamp_text(source_column('deal', 'close_date')) }} as close_date

    from deals

),

stages_judged as (

    select
        {{ clean_text(source_column('deal_pipeline_stage', 'stage_id')) }} as stage_id,
        {% set label = clean_text(source_column('deal_pipeline_stage', 'label')) %}
        {% set probability = parse_value(source_column('deal_pipeline_stage', 'probability'),
            type_double()) %}
        case
            when {{ label }} in {{ text_list(source_setting('won_stage_labels')) }}
                then 'closed_won'
            when {{ label }} in {{ text_list(source_setting('lost_stage_labels')) }}
                then 'closed_lost'
            when {{ probability }} >= 1 then 'closed_won'
            when {{ probability }} <= 0 then 'closed_lost'
            else 'discovery'
        end as stage
    from stages

),

first_contacts as (

    select
        {{ clean_text(source_column('deal_contact', 'deal_id')) }} as opportunity_id,
        min({{ clean_text(source_column('deal_contact', 'contact_id')) }}) as lead_id
    from deal_contacts
    group by 1

),

final as (

    select
        deals_renamed.opportunity_id,
        first_contacts.lead_id,
        deals_renamed.account_name,
        deals_renamed.created_at,
        stages_judged.stage,
        deals_renamed.amount,
        cast(null as {{ dbt.type_string() }}) as proposal_sent_at,
        case
            when stages_judged.stage in ('closed_won', 'closed_lost')
                then deals_renamed.close_date
        end as closed_at,
        deals_renamed.owner_id,
        case
            when stages_judged.stage = 'closed_lost' then deals_renamed.lost_reason
        end as lost_reason
    from deals_renamed
    left join stages_judged
        on deals_renamed.stage_id = stages_judged.stage_id
    left join first_contacts
        on deals_renamed.opportunity_id = first_contacts.opportunity_id
    where not deals_renamed.is_deleted

)

select * from final
