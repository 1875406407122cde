{#- Why deals were lost, per period (issue #19: was summed in Python): the
    deals lost in the period by reason, with their amount. -#}
with

deals as (

    select * from {{ ref('rpt_deal_outcomes') }}
    where outcome = 'lost'

),

final as (

    select
        {{ composite_key(['agreement_id', 'lost_reason']) }} as agreement_lost_reason_id,
        agreement_id,
        lost_reason,
        count(*) as deals_lost,
        {# A deal without an amount adds nothing, as on every other page. #}
        cast(coalesce(sum(amount), 0) as {{ type_double() }}) as amount_lost,
        cast(row_number() over (
            partition by agreement_id order by count(*) desc, lost_reason asc
        ) as {{ dbt.type_int() }}) as reason_order
    from deals
    group by agreement_id, lost_reason

)

select * from final
