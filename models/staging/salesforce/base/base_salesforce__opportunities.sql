{#- Salesforce Opportunity -> the raw `opportunities` contract.

    Lead-sourced = some lead's ConvertedOpportunityId names the deal: the
    lead is looked up in the Lead table. That key lookup is the one join in
    a Salesforce staging model (STYLE.md §7 keeps joins out of staging):
    Salesforce stores the link on the lead, the contract on the deal, and
    everything downstream reads the contract. Stages: IsWon -> closed_won,
    IsClosed -> closed_lost; an open deal is a proposal once it has a
    proposal date (proposal_date_field), else discovery. -#}
with

opportunities as (

    select * from {{ raw_table('salesforce', 'opportunity') }}

),

leads as (

    select * from {{ raw_table('salesforce', 'lead') }}

),

opportunities_renamed as (

    select
        -- ids
        {{ clean_text(source_column('opportunity', 'id')) }} as opportunity_id,
        {{ clean_text(source_column('opportunity', 'owner_id')) }} as owner_id,

        -- strings
        {{ clean_text(source_column('opportunity', 'name')) }} as account_name,
        {{ clean_text(source_column('opportunity', 'lost_reason')) }} as lost_reason,

        -- numerics (typed by stg_crm__opportunities)
        {{ clean_text(source_column('opportunity', 'amount')) }} as amount,

        -- booleans
        {{ parse_boolean(source_column('opportunity', 'is_won')) }} as is_won,
        {{ parse_boolean(source_column('opportunity', 'is_closed')) }} as is_closed,
        coalesce({{ parse_boolean(source_column('opportunity', 'is_deleted')) }}, false)
            as is_deleted,

        -- timestamps (CloseDate is a date: 12:00 UTC)
        {{ crm_timestamp_text(source_column('opportunity', 'created_date')) }} as created_at,
        {{ crm_timestamp_text(source_column('opportunity', 'close_date')) }} as close_date,
        {{ crm_timestamp_text(source_column('opportunity', 'proposal_date')) }}
            as proposal_sent_at

    from opportunities

),

conversions as (

    select
        {{ clean_text(source_column('lead', 'converted_opportunity_id')) }}
            as opportunity_id,
        min({{ clean_text(source_column('lead', 'id')) }}) as lead_id
    from leads
    where {{ clean_text(source_column('lead', 'converted_opportunity_id')) }} is not null
        and not coalesce({{ parse_boolean(source_column('lead', 'is_deleted')) }}, false)
    group by 1

),

final as (

    select
        opportunities_renamed.opportunity_id,
        conversions.lead_id,
        opportunities_renamed.account_name,
        opportunities_renamed.created_at,
        case
            when opportunities_renamed.is_won then 'closed_won'
            when opportunities_renamed.is_closed then 'closed_lost'
            when opportunities_renamed.proposal_sent_at is not null then 'proposal'
            else 'discovery'
        end as stage,
        opportunities_renamed.amount,
        opportunities_renamed.proposal_sent_at,
        case
            when opportunities_renamed.is_closed or opportunities_renamed.is_won
                then opportunities_renamed.close_date
        end as closed_at,
        opportunities_renamed.owner_id,
        case
            when opportunities_renamed.is_closed and not opportunities_renamed.is_won
                then opportunities_renamed.lost_reason
        end as lost_reason
    from opportunities_renamed
    left join conversions
        on opportunities_renamed.opportunity_id = conversions.opportunity_id
    where not opportunities_renamed.is_deleted

)

select * from final
