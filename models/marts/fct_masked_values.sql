{#- Private details masked in staging (issue #24): one row per raw row and
    column that held an e-mail address or a phone number. Every row read
    counts, quarantined or not: the value was masked before any check. -#}
with

{% set checked = [
    ('leads', 'stg_crm__leads', 'lead_id'),
    ('lead_activities', 'stg_crm__activities', 'activity_id'),
    ('opportunities', 'stg_crm__opportunities', 'opportunity_id'),
    ('revenue', 'stg_crm__revenue', 'revenue_id'),
    ('reps', 'stg_crm__reps', 'rep_id'),
    ('web_sessions', 'stg_web__sessions', 'web_session_day_id'),
    ('lead_owner_history', 'stg_crm__lead_owner_history', 'lead_owner_assignment_id'),
] %}

{% for table_name, model, key in checked %}
{{ table_name }}_masked as (

    select
        '{{ table_name }}' as raw_table,
        cast(staged.{{ key }} as {{ dbt.type_string() }}) as row_key,
        {{ split_to_rows('staged.masked_values', 'chr(30)') }} as column_name
    from {{ ref(model) }} as staged
    where staged.masked_values is not null

),
{% endfor %}

unioned as (

    {% for table_name, model, key in checked %}
    select * from {{ table_name }}_masked
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        {{ composite_key(['raw_table', 'row_key', 'column_name']) }} as masked_value_id,
        raw_table,
        row_key,
        column_name
    from unioned

)

select * from final
