{#- Revenue lines that pass staging checks and belong to a usable opportunity
    or to none: a line with an empty opportunity_id is valid and not
    marketing-sourced; one naming an opportunity we do not have is
    quarantined. -#}
with

revenue as (

    select * from {{ ref('stg_crm__revenue') }}

),

opportunities as (

    select
        opportunity_id,
        stage,
        is_marketing_sourced
    from {{ ref('int_opportunities_validated') }}
    where quarantine_reason is null

),

final as (

    select
        revenue.revenue_id,
        revenue.opportunity_id,
        revenue.revenue_type,
        revenue.amount,
        revenue.booked_date,
        coalesce(opportunities.is_marketing_sourced, false) as is_marketing_sourced,
        opportunities.stage as opportunity_stage,
        coalesce(
            revenue.quarantine_reason,
            case
                when revenue.opportunity_id is not null and opportunities.opportunity_id is null
                    then 'unknown opportunity_id'
            end
        ) as quarantine_reason
    from revenue
    left join opportunities
        on revenue.opportunity_id = opportunities.opportunity_id

)

select * from final
