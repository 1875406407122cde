{#- Issue #23: dbt's `unique` test on DuckDB. Its group by over every value
    (10M activity ids, nearly all distinct) took twice as long as numbering
    the rows of each value with a window over the one column. The failing
    rows are the same: each repeated value with its number of rows. -#}
{% macro duckdb__test_unique(model, column_name) %}

select
    unique_field,
    count(*) + 1 as n_records
from (
    select
        {{ column_name }} as unique_field,
        row_number() over (partition by {{ column_name }}) as copy_number
    from {{ model }}
    where {{ column_name }} is not null
) as numbered
where copy_number > 1
group by unique_field

{% endmacro %}
