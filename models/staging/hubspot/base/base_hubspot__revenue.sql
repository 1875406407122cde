{#- HubSpot has no revenue ledger of its own: a won deal is one
    new-business revenue line of its amount, booked on its close date
    (issue #9). Won is judged as in base_hubspot__opportunities. -#}
with

opportunities as (

    select * from {{ ref('base_hubspot__opportunities') }}

),

final as (

    select
        opportunity_id as revenue_id,
        opportunity_id,
        left(closed_at, 10) as booked_on,
        amount,
        'new_business' as revenue_type
    from opportunities
    where stage = 'closed_won'

)

select * from final
