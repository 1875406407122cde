{#- Row accounting per raw table: every row read is either used or rejected
    with a reason (tested: rows_read = rows_used + rows_rejected). -#}
with

{% set tables = [
    ('leads', 'stg_crm__leads'),
    ('lead_activities', 'int_activities_validated'),
    ('opportunities', 'int_opportunities_validated'),
    ('revenue', 'int_revenue_validated'),
    ('reps', 'stg_crm__reps'),
    ('web_sessions', 'stg_web__sessions'),
    ('lead_owner_history', 'stg_crm__lead_owner_history'),
] %}

counted as (

    {% for table_name, model in tables %}
    select
        '{{ table_name }}' as raw_table,
        cast(count(*) as {{ dbt.type_bigint() }}) as rows_read,
        {#- coalesce: a table with a header and no rows is 0 = 0 + 0, not
            null (found by the property-based tests, issue #11). -#}
        coalesce({{ count_where("quarantine_reason is null") }}, 0) as rows_used,
        coalesce({{ count_where("quarantine_reason is not null") }}, 0) as rows_rejected
    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select * from counted

)

select * from final
