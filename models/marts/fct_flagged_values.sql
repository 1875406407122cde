{#- Bad values in rows that are used: one row per row and flag, with the
    column and the reason. The value was nulled (or bucketed as 'other') by
    staging; the row counts everywhere else (issue #11). -#}
with

{#- (raw table, staging model with the flags, key, validated model that
    may quarantine a row staging kept, e.g. for an unknown lead). -#}
{% set checked = [
    ('leads', 'stg_crm__leads', 'lead_id', none),
    ('lead_activities', 'stg_crm__activities', 'activity_id', 'int_activities_validated'),
    ('opportunities', 'stg_crm__opportunities', 'opportunity_id',
        'int_opportunities_validated'),
    ('revenue', 'stg_crm__revenue', 'revenue_id', 'int_revenue_validated'),
    ('reps', 'stg_crm__reps', 'rep_id', none),
    ('web_sessions', 'stg_web__sessions', 'web_session_day_id', none),
] %}

{% for table_name, model, key, validated in checked %}
{{ table_name }}_flags as (

    select
        '{{ table_name }}' as raw_table,
        cast(staged.{{ key }} as {{ dbt.type_string() }}) as row_key,
        {{ split_to_rows('staged.flagged_values', 'chr(30)') }} as flag
    from {{ ref(model) }} as staged
    where staged.quarantine_reason is null
        and staged.flagged_values is not null
        {%- if validated %}
        and exists (
            select 1 as is_used
            from {{ ref(validated) }} as validated
            where validated.{{ key }} = staged.{{ key }}
                and validated.quarantine_reason is null
        )
        {%- endif %}

),
{% endfor %}

unioned as (

    {% for table_name, model, key, validated in checked %}
    select * from {{ table_name }}_flags
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

split as (

    select
        raw_table,
        row_key,
        {{ dbt.split_part('flag', "': '", 1) }} as column_name,
        substr(flag, length({{ dbt.split_part('flag', "': '", 1) }}) + 3) as flag_reason
    from unioned

),

final as (

    select
        {{ composite_key(['raw_table', 'row_key', 'column_name', 'flag_reason']) }}
            as flagged_value_id,
        raw_table,
        row_key,
        column_name,
        flag_reason,
        flag_reason like 'unknown value%' as is_unknown_category
    from split

)

select * from final
