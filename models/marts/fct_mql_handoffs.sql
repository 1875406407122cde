{#- One row per MQL of an agreement period with its hand-off clock, as of the
    as-of day (the earlier weekly evaluations of int_mqls_joined_to_touches
    are the scorecard's, issue #20). -#}
with

handoffs as (

    select * from {{ ref('int_mqls_joined_to_touches') }}
    where weeks_before_as_of = 0

),

final as (

    select * from handoffs

)

select * from final
