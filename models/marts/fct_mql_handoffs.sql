with

handoffs as (

    select * from {{ ref('int_mqls_joined_to_touches') }}

),

final as (

    select * from handoffs

)

select * from final
