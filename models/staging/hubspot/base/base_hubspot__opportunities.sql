{#- HubSpot deal -> the raw `opportunities` contract.

    Won and lost come from the deal's pipeline stage: its label
    (won_stage_labels, lost_stage_labels) or else its probability (1 won,
    0 lost); the stage's old `closed_won` flag means closed, not won, and is
    not read. The deal's lead is one of its contacts (issue #19): the first
    by id among those that qualify under the attribution rule in force (by
    default: an MQL at or before the deal was created), else the first by
    id, so a deal with two contacts of which one was an MQL in time is
    marketing-sourced. The stage and contact lookups are the key joins
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

contacts as (

    select * from {{ raw_table('hubspot', 'contact') }}

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

contacts_qualified as (

    select
        {{ clean_text(source_column('contact', 'id')) }} as contact_id,
        {{ parse_utc_timestamp('coalesce('
            ~ crm_timestamp_text(source_column('contact', 'mql_date_new')) ~ ', '
            ~ crm_timestamp_text(source_column('contact', 'mql_date_old')) ~ ')') }}
            as mql_at,
        {{ mapped_value(source_column('contact', 'analytics_source'),
            source_setting('analytics_source_channels')) }} as channel
    from contacts
    where not coalesce({{ parse_boolean(source_column('contact', 'is_deleted')) }}, false)

),

deal_contacts_renamed as (

    select
        {{ clean_text(source_column('deal_contact', 'deal_id')) }} as opportunity_id,
        {{ clean_text(source_column('deal_contact', 'contact_id')) }} as lead_id
    from deal_contacts

),

deal_contacts_ranked as (

    select
        deal_contacts_renamed.opportunity_id,
        deal_contacts_renamed.lead_id,
        row_number() over (
            partition by deal_contacts_renamed.opportunity_id
            order by
                case
                    when {{ is_marketing_sourced('contacts_qualified.contact_id',
                        'contacts_qualified.mql_at', 'contacts_qualified.channel',
                        parse_utc_timestamp('deals_renamed.created_at')) }} then 0
                    else 1
                end,
                deal_contacts_renamed.lead_id
        ) as contact_rank
    from deal_contacts_renamed
    inner join deals_renamed
        on deal_contacts_renamed.opportunity_id = deals_renamed.opportunity_id
    left join contacts_qualified
        on deal_contacts_renamed.lead_id = contacts_qualified.contact_id
    where deal_contacts_renamed.lead_id is not null

),

first_contacts as (

    select
        opportunity_id,
        lead_id
    from deal_contacts_ranked
    where contact_rank = 1

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
