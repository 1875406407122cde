{#- Sales' KPIs per agreement period and per month of it. -#}
with

agreements as (

    select * from {{ ref('int_kpi_evaluations') }}

),

windows as (

    select * from {{ ref('int_kpi_windows') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_validated') }}
    where quarantine_reason is null

),

revenue as (

    select * from {{ ref('int_revenue_validated') }}
    where quarantine_reason is null

),

data_shape as (

    {# Issue #19: a win rate over a data set that records no lost deal at
       all is 100% by construction, and no data; deals without any amount
       give no average deal size. #}
    select
        coalesce({{ count_where("is_lost") }}, 0) as lost_deals_recorded,
        coalesce({{ count_where("amount is not null") }}, 0) as opportunities_with_amount
    from opportunities

),

created_in_period as (

    select
        agreements.agreement_id,
        {{ local_month('opportunities.created_at') }} as month_start_date,
        opportunities.is_marketing_sourced
    from agreements
    inner join opportunities
        on {{ in_agreement_window('opportunities.created_at') }}

),

proposals_in_period as (

    select
        agreements.agreement_id,
        {{ local_month('opportunities.proposal_sent_at') }} as month_start_date,
        opportunities.is_marketing_sourced
    from agreements
    inner join opportunities
        on opportunities.proposal_sent_at is not null
        and {{ in_agreement_window('opportunities.proposal_sent_at') }}

),

closed_in_period as (

    select
        agreements.agreement_id,
        {{ local_month('opportunities.closed_at') }} as month_start_date,
        opportunities.is_won,
        opportunities.is_lost,
        opportunities.is_marketing_sourced,
        opportunities.amount,
        {{ dbt.datediff(local_date('opportunities.created_at', 'agreements.time_zone'),
            local_date('opportunities.closed_at', 'agreements.time_zone'), 'day') }}
            as cycle_days
    from agreements
    inner join opportunities
        on (opportunities.is_won or opportunities.is_lost)
        and {{ in_agreement_window('opportunities.closed_at') }}

),

revenue_in_period as (

    select
        agreements.agreement_id,
        cast({{ dbt.date_trunc('month', 'revenue.booked_date') }} as date)
            as month_start_date,
        revenue.amount
    from agreements
    inner join revenue
        on revenue.revenue_type = 'new_business'
        and {{ date_in_agreement_window('revenue.booked_date') }}

),

created_counted as (

    select
        agreement_id,
        {{ kpi_window_key() }} as window_key,
        {{ count_where("is_marketing_sourced") }} as opportunities,
        count(*) as opportunities_all_sources,
        {{ count_where("not is_marketing_sourced") }} as opportunities_sales_sourced
    from created_in_period
    {{ group_by_kpi_windows() }}

),

proposals_counted as (

    select
        agreement_id,
        {{ kpi_window_key() }} as window_key,
        {{ count_where("is_marketing_sourced") }} as proposals,
        count(*) as proposals_all_sources,
        {{ count_where("not is_marketing_sourced") }} as proposals_sales_sourced
    from proposals_in_period
    {{ group_by_kpi_windows() }}

),

closed_summarised as (

    select
        agreement_id,
        {{ kpi_window_key() }} as window_key,
        {{ count_where("is_won") }} as new_customers,
        {{ count_where("is_won and is_marketing_sourced") }} as marketing_sourced_customers,
        {{ count_where("is_won and not is_marketing_sourced") }} as customers_sales_sourced,
        {{ count_where("is_lost") }} as lost_deals,
        {{ count_where("is_won and amount is not null") }} as won_deals_with_amount,
        {# avg() skips null amounts: a deal without an amount is not a $0 deal. #}
        avg(case when is_won then amount end) as average_deal_size,
        {{ percentile_cont('case when is_won then cycle_days end', 0.5) }}
            as sales_cycle_days
    from closed_in_period
    {{ group_by_kpi_windows() }}

),

revenue_summed as (

    select
        agreement_id,
        {{ kpi_window_key() }} as window_key,
        cast(sum(amount) as {{ type_double() }}) as new_revenue
    from revenue_in_period
    {{ group_by_kpi_windows() }}

),

final as (

    select
        windows.kpi_window_id,
        windows.agreement_id,
        windows.window_key,
        windows.month_start_date,
        coalesce(created_counted.opportunities, 0) as opportunities,
        coalesce(created_counted.opportunities_all_sources, 0) as opportunities_all_sources,
        coalesce(created_counted.opportunities_sales_sourced, 0) as opportunities_sales_sourced,
        coalesce(proposals_counted.proposals, 0) as proposals,
        coalesce(proposals_counted.proposals_all_sources, 0) as proposals_all_sources,
        coalesce(proposals_counted.proposals_sales_sourced, 0) as proposals_sales_sourced,
        coalesce(closed_summarised.new_customers, 0) as new_customers,
        coalesce(closed_summarised.marketing_sourced_customers, 0)
            as marketing_sourced_customers,
        coalesce(closed_summarised.customers_sales_sourced, 0) as customers_sales_sourced,
        case
            when data_shape.lost_deals_recorded > 0 then {{ safe_ratio(
                'closed_summarised.new_customers',
                'closed_summarised.new_customers + closed_summarised.lost_deals') }}
        end as win_rate,
        case
            when data_shape.lost_deals_recorded = 0 then 'no lost deals recorded'
        end as win_rate_no_data_reason,
        coalesce(revenue_summed.new_revenue, 0) as new_revenue,
        cast(closed_summarised.average_deal_size as {{ type_double() }}) as average_deal_size,
        case
            when data_shape.opportunities_with_amount = 0 then 'no deal amounts recorded'
        end as average_deal_size_no_data_reason,
        closed_summarised.sales_cycle_days,
        coalesce(closed_summarised.lost_deals, 0) as lost_deals,
        coalesce(closed_summarised.new_customers, 0)
            + coalesce(closed_summarised.lost_deals, 0) as closed_deals,
        coalesce(closed_summarised.won_deals_with_amount, 0) as won_deals_with_amount
    from windows
    cross join data_shape
    {% for cte in ['created_counted', 'proposals_counted', 'closed_summarised',
                   'revenue_summed'] %}
    left join {{ cte }}
        on windows.agreement_id = {{ cte }}.agreement_id
        and windows.window_key = {{ cte }}.window_key
    {% endfor %}

)

select * from final
