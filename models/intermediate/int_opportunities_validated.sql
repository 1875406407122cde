{#- Opportunities that pass staging checks; one that names a lead we do not
    have is quarantined (an empty lead_id is fine: sales-sourced). Whether
    marketing sourced it follows the attribution rule in force (issue #19,
    macros/attribution.sql), from its lead. -#}
with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

leads as (

    select
        lead_id,
        channel,
        mql_at
    from {{ ref('stg_crm__leads') }}
    where quarantine_reason is null

),

final as (

    select
        opportunities.opportunity_id,
        opportunities.lead_id,
        opportunities.owner_id,
        opportunities.account_name,
        opportunities.stage,
        opportunities.lost_reason,
        opportunities.amount,
        {{ is_marketing_sourced('leads.lead_id', 'leads.mql_at', 'leads.channel',
            'opportunities.created_at') }} as is_marketing_sourced,
        leads.mql_at as lead_mql_at,
        opportunities.is_won,
        opportunities.is_lost,
        opportunities.created_at,
        opportunities.proposal_sent_at,
        opportunities.closed_at,
        coalesce(
            opportunities.quarantine_reason,
            case
                when opportunities.lead_id is not null and leads.lead_id is null
                    then 'unknown lead_id'
            end
        ) as quarantine_reason
    from opportunities
    left join leads
        on opportunities.lead_id = leads.lead_id

)

select * from final
