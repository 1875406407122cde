{#- Masked private details per raw table and column: what the Data quality
    page and the build's output count (issue #24). No example key: the row
    is of no use to a reader, and its key may be the pseudonym of an address. -#}
with

masked as (

    select * from {{ ref('fct_masked_values') }}

),

final as (

    select
        {{ composite_key(['raw_table', 'column_name']) }} as table_column_id,
        raw_table,
        column_name,
        cast(count(*) as {{ dbt.type_bigint() }}) as values_masked
    from masked
    group by raw_table, column_name

)

select * from final
