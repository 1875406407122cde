{#- Opportunities that pass staging checks; one that names a lead we do not
    have is quarantined (an empty lead_id is fine: sales-sourced). -#}
with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

leads as (

    select lead_id from {{ ref('stg_crm__leads') }}
    where rejection_reason is null

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
        opportunities.is_marketing_sourced,
        opportunities.is_won,
        opportunities.is_lost,
        opportunities.created_at,
        opportunities.proposal_sent_at,
        opportunities.closed_at,
        coalesce(
            opportunities.rejection_reason,
            case
                when opportunities.lead_id is not null and leads.lead_id is null
                    then 'unknown lead_id'
            end
        ) as rejection_reason
    from opportunities
    left join leads
        on opportunities.lead_id = leads.lead_id

)

select * from final
