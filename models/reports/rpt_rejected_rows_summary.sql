{#- Quarantined rows counted per raw table and reason, with example keys. -#}
with

rejected as (

    select * from {{ ref('fct_rejected_rows') }}

),

final as (

    select
        {{ composite_key(['raw_table', 'quarantine_reason']) }} as table_reason_id,
        raw_table,
        quarantine_reason,
        count(*) as rows_rejected,
        min(row_key) as example_row_key
    from rejected
    group by raw_table, quarantine_reason

)

select * from final
