{#- Why sales rejected the period's MQLs, by reason over every channel, with
    the channel most of them came from (issue #19: was summed in Python from
    rpt_mql_rejections). -#}
with

rejections as (

    select * from {{ ref('rpt_mql_rejections') }}

),

by_reason as (

    select
        agreement_id,
        rejection_reason,
        cast(sum(mqls_rejected) as {{ dbt.type_bigint() }}) as mqls_rejected,
        cast(sum(coalesce(share_of_period_mqls, 0)) as {{ type_double() }})
            as share_of_period_mqls
    from rejections
    group by agreement_id, rejection_reason

),

channels_ranked as (

    select
        agreement_id,
        rejection_reason,
        channel,
        row_number() over (
            partition by agreement_id, rejection_reason
            order by mqls_rejected desc, channel asc
        ) as channel_rank
    from rejections

),

final as (

    select
        {{ composite_key(['by_reason.agreement_id', 'by_reason.rejection_reason']) }}
            as agreement_rejection_reason_id,
        by_reason.agreement_id,
        by_reason.rejection_reason,
        by_reason.mqls_rejected,
        by_reason.share_of_period_mqls,
        channels_ranked.channel as top_channel,
        cast(row_number() over (
            partition by by_reason.agreement_id
            order by by_reason.mqls_rejected desc, by_reason.rejection_reason asc
        ) as {{ dbt.type_int() }}) as reason_order
    from by_reason
    inner join channels_ranked
        on by_reason.agreement_id = channels_ranked.agreement_id
        and by_reason.rejection_reason = channels_ranked.rejection_reason
        and channels_ranked.channel_rank = 1

)

select * from final
