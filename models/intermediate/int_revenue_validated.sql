{#- Revenue lines that pass staging checks and belong to a usable opportunity. -#}
with

revenue as (

    select * from {{ ref('stg_crm__revenue') }}

),

opportunities as (

    select
        opportunity_id,
        is_marketing_sourced
    from {{ ref('int_opportunities_validated') }}
    where rejection_reason is null

),

final as (

    select
        revenue.revenue_id,
        revenue.opportunity_id,
        revenue.revenue_type,
        revenue.amount,
        revenue.booked_date,
        coalesce(opportunities.is_marketing_sourced, false) as is_marketing_sourced,
        coalesce(
            revenue.rejection_reason,
            case when opportunities.opportunity_id is null then 'unknown opportunity_id' end
        ) as rejection_reason
    from revenue
    left join opportunities
        on revenue.opportunity_id = opportunities.opportunity_id

)

select * from final
