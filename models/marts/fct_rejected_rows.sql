{#- The quarantine: every raw row that was not used, with the reason. -#}
with

{% set checked = [
    ('leads', 'stg_crm__leads', 'lead_id'),
    ('lead_activities', 'int_activities_validated', 'activity_id'),
    ('opportunities', 'int_opportunities_validated', 'opportunity_id'),
    ('revenue', 'int_revenue_validated', 'revenue_id'),
    ('reps', 'stg_crm__reps', 'rep_id'),
    ('web_sessions', 'stg_web__sessions', 'web_session_day_id'),
    ('lead_owner_history', 'stg_crm__lead_owner_history', 'lead_owner_assignment_id'),
] %}

{% for table_name, model, key in checked %}
{{ table_name }} as (

    select
        '{{ table_name }}' as raw_table,
        cast({{ key }} as {{ dbt.type_string() }}) as row_key,
        quarantine_reason
    from {{ ref(model) }}
    where quarantine_reason is not null

),
{% endfor %}

unioned as (

    {% for table_name, model, key in checked %}
    select * from {{ table_name }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select * from unioned

)

select * from final
