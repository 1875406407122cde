with

targets as (

    select * from {{ reference_table('sla_targets') }}

),

final as (

    select
        {{ composite_key(['agreement_id', 'kpi_id',
            "coalesce(cast(month as " ~ dbt.type_string() ~ "), 'period')"]) }}
            as agreement_kpi_window_id,
        agreement_id,
        kpi_id,
        cast(month as date) as month_start_date,
        cast(target as {{ type_double() }}) as target
    from targets

)

select * from final
