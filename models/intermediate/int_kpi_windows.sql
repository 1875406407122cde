{#- The windows every KPI is computed over: each agreement's whole period
    (window_key 'period', no month) and each of its months; and the whole
    period as of each earlier weekly evaluation of the agreement in progress
    (issue #20, int_kpi_evaluations: its agreement_id names the evaluation). -#}
with

agreements as (

    select * from {{ ref('int_kpi_evaluations') }}

),

months as (

    select * from {{ ref('int_agreement_months') }}

),

unioned as (

    select
        agreement_id,
        cast(null as date) as month_start_date
    from agreements

    union all

    select
        agreement_id,
        month_start_date
    from months

),

final as (

    select
        {{ composite_key(['agreement_id', kpi_window_key()]) }} as kpi_window_id,
        agreement_id,
        {{ kpi_window_key() }} as window_key,
        month_start_date
    from unioned

)

select * from final
