{#- Closed deals of each period: lost reasons (what sales learns from) and
    the largest wins. One row per agreement, outcome and reason or account. -#}
with

agreements as (

    select * from {{ ref('dim_agreements') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}
    where quarantine_reason is null
        and (is_won or is_lost)

),

closed as (

    select
        agreements.agreement_id,
        opportunities.opportunity_id,
        opportunities.account_name,
        cast(opportunities.amount as {{ type_double() }}) as amount,
        opportunities.is_won,
        opportunities.is_marketing_sourced,
        coalesce(opportunities.lost_reason, 'not given') as lost_reason,
        cast(row_number() over (
            partition by agreements.agreement_id, opportunities.is_won
            order by opportunities.amount desc, opportunities.opportunity_id asc
        ) as {{ dbt.type_bigint() }}) as amount_rank
    from agreements
    inner join opportunities
        on {{ in_agreement_window('opportunities.closed_at') }}

),

final as (

    select
        {{ composite_key(['agreement_id', 'opportunity_id']) }} as agreement_deal_id,
        agreement_id,
        opportunity_id,
        account_name,
        amount,
        case when is_won then 'won' else 'lost' end as outcome,
        is_marketing_sourced,
        case when is_won then null else lost_reason end as lost_reason,
        amount_rank
    from closed

)

select * from final
