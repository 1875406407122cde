{#- MQLs sales rejected (disqualified) in each period, by reason and channel:
    the feedback marketing acts on. -#}
with

handoffs as (

    select * from {{ ref('fct_mql_handoffs') }}

),

period_mqls as (

    select
        agreement_id,
        count(*) as mqls
    from handoffs
    group by agreement_id

),

rejected as (

    select
        agreement_id,
        coalesce(disqualified_reason, 'no reason given') as rejection_reason,
        channel,
        count(*) as mqls_rejected
    from handoffs
    where is_disqualified
    group by agreement_id, coalesce(disqualified_reason, 'no reason given'), channel

),

final as (

    select
        {{ composite_key(['rejected.agreement_id', 'rejected.rejection_reason',
            'rejected.channel']) }} as mql_rejection_id,
        rejected.agreement_id,
        rejected.rejection_reason,
        rejected.channel,
        rejected.mqls_rejected,
        {{ safe_ratio('rejected.mqls_rejected', 'period_mqls.mqls') }} as share_of_period_mqls
    from rejected
    inner join period_mqls
        on rejected.agreement_id = period_mqls.agreement_id

)

select * from final
