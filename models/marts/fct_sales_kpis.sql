{#- Sales' KPIs, one row per agreement period. -#}
with

agreements as (

    select * from {{ ref('int_agreements_evaluated') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}
    where rejection_reason is null

),

revenue as (

    select * from {{ ref('int_revenue_validated') }}
    where rejection_reason is null

),

created_in_period as (

    select
        agreements.agreement_id,
        count(*) as opportunities
    from agreements
    inner join opportunities
        on {{ in_agreement_window('opportunities.created_at') }}
    group by agreements.agreement_id

),

proposals_in_period as (

    select
        agreements.agreement_id,
        count(*) as proposals
    from agreements
    inner join opportunities
        on opportunities.proposal_sent_at is not null
        and {{ in_agreement_window('opportunities.proposal_sent_at') }}
    group by agreements.agreement_id

),

closed_in_period as (

    select
        agreements.agreement_id,
        opportunities.is_won,
        opportunities.is_lost,
        opportunities.amount,
        {{ dbt.datediff(local_date('opportunities.created_at', 'agreements.time_zone'),
            local_date('opportunities.closed_at', 'agreements.time_zone'), 'day') }}
            as cycle_days
    from agreements
    inner join opportunities
        on (opportunities.is_won or opportunities.is_lost)
        and {{ in_agreement_window('opportunities.closed_at') }}

),

closed_summarised as (

    select
        agreement_id,
        {{ count_where("is_won") }} as new_customers,
        {{ count_where("is_lost") }} as lost_deals,
        avg(case when is_won then amount end) as average_deal_size,
        {{ percentile_cont('case when is_won then cycle_days end', 0.5) }}
            as sales_cycle_days
    from closed_in_period
    group by agreement_id

),

revenue_in_period as (

    select
        agreements.agreement_id,
        cast(sum(revenue.amount) as {{ type_double() }}) as new_revenue
    from agreements
    inner join revenue
        on revenue.revenue_type = 'new_business'
        and {{ date_in_agreement_window('revenue.booked_date') }}
    group by agreements.agreement_id

),

final as (

    select
        agreements.agreement_id,
        coalesce(created_in_period.opportunities, 0) as opportunities,
        coalesce(proposals_in_period.proposals, 0) as proposals,
        coalesce(closed_summarised.new_customers, 0) as new_customers,
        {{ safe_ratio('closed_summarised.new_customers',
            'closed_summarised.new_customers + closed_summarised.lost_deals') }} as win_rate,
        coalesce(revenue_in_period.new_revenue, 0) as new_revenue,
        closed_summarised.average_deal_size,
        closed_summarised.sales_cycle_days,
        coalesce(closed_summarised.lost_deals, 0) as lost_deals
    from agreements
    left join created_in_period
        on agreements.agreement_id = created_in_period.agreement_id
    left join proposals_in_period
        on agreements.agreement_id = proposals_in_period.agreement_id
    left join closed_summarised
        on agreements.agreement_id = closed_summarised.agreement_id
    left join revenue_in_period
        on agreements.agreement_id = revenue_in_period.agreement_id

)

select * from final
