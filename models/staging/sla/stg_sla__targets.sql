with

targets as (

    select * from {{ ref('sla_targets') }}

),

final as (

    select
        {{ dbt.concat(["agreement_id", "'|'", "kpi_id"]) }} as agreement_kpi_id,
        agreement_id,
        kpi_id,
        cast(target as {{ type_double() }}) as target
    from targets

)

select * from final
