{#- Flagged values per raw table, column and reason, with example keys:
    what the Data quality page and the build's output count (issue #11). -#}
with

flagged as (

    select * from {{ ref('fct_flagged_values') }}

),

final as (

    select
        {{ composite_key(['raw_table', 'column_name', 'flag_reason']) }}
            as table_column_reason_id,
        raw_table,
        column_name,
        flag_reason,
        is_unknown_category,
        cast(count(*) as {{ dbt.type_bigint() }}) as rows_flagged,
        min(row_key) as example_row_key
    from flagged
    group by raw_table, column_name, flag_reason, is_unknown_category

)

select * from final
