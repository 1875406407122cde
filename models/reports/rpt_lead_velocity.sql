{#- Lead velocity rate: month-over-month growth of MQLs, over the company's
    months (a month split by a mid-month reset is summed back together). -#}
with

marketing as (

    select * from {{ ref('fct_marketing_kpis') }}
    where window_key <> 'period'

),

months as (

    select * from {{ ref('int_agreement_months') }}

),

by_month as (

    select
        marketing.month_start_date,
        cast(sum(marketing.mqls) as {{ dbt.type_bigint() }}) as mqls,
        min(case when months.month_state = 'finished' then 1 else 0 end) = 1
            as is_month_finished,
        max(case when months.month_state = 'upcoming' then 0 else 1 end) = 1
            as is_month_started
    from marketing
    inner join months
        on marketing.agreement_id = months.agreement_id
        and marketing.month_start_date = months.month_start_date
    group by marketing.month_start_date

),

with_previous as (

    select
        *,
        lag(mqls) over (order by month_start_date) as previous_month_mqls,
        lag(month_start_date) over (order by month_start_date) as previous_month_start_date
    from by_month
    where is_month_started

),

final as (

    select
        month_start_date,
        mqls,
        is_month_finished,
        previous_month_mqls,
        {# A month still running would compare a part with a whole. #}
        case
            when is_month_finished and previous_month_start_date
                = cast({{ dbt.dateadd('month', -1, 'month_start_date') }} as date)
                then {{ safe_ratio('mqls - previous_month_mqls', 'previous_month_mqls') }}
        end as lead_velocity_rate
    from with_previous

)

select * from final
