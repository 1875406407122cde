{#- Each agreement seen from the as-of date: how much of it has elapsed,
    through which local day it is evaluated, and whether it is final. -#}
with

agreements as (

    select * from {{ ref('stg_sla__agreements') }}

),

as_of as (

    select cast('{{ var("as_of") }}' as date) as as_of_date

),

windowed as (

    select
        agreements.*,
        as_of.as_of_date,
        case
            when as_of.as_of_date < agreements.period_end_date then as_of.as_of_date
            else agreements.period_end_date
        end as evaluated_through_date,
        {{ dbt.datediff('agreements.period_start_date', 'agreements.period_end_date', 'day') }}
            + 1 as period_days
    from agreements
    cross join as_of

),

final as (

    select
        *,
        case
            when as_of_date < period_start_date then 0
            -- noqa: disable=LT05
            else {{ dbt.datediff('period_start_date', 'evaluated_through_date', 'day') }} + 1
            -- noqa: enable=LT05
        end as elapsed_days,
        case
            when as_of_date >= period_end_date then 'final'
            when as_of_date >= period_start_date then 'in_progress'
            else 'upcoming'
        end as period_state
    from windowed

)

select * from final
