with

holidays as (

    select * from {{ reference_table('holidays') }}

),

final as (

    select
        cast(holiday_date as date) as holiday_date,
        name as holiday_name
    from holidays

)

select * from final
