{#- MQLs past their deadline untouched, per period, rep and age bucket, every
    bucket present (a zero is a zero), plus the whole team (rep_id null)
    (issue #19: was counted in Python). Empty without lead activities: the
    hand-off clock cannot run, and no MQL is overdue for want of a log. -#}
with

overdue as (

    select * from {{ ref('rpt_overdue_mqls') }}

),

reps as (

    select * from {{ ref('rpt_rep_handoff') }}
    {% if kpi_missing_reason('first_touch_within_sla_rate') %}
    where false
    {% endif %}

),

owners as (

    select
        agreement_id,
        rep_id
    from reps

    union all

    select
        agreement_id,
        cast(null as {{ dbt.type_string() }}) as rep_id
    from reps
    group by agreement_id

),

buckets as (

    {{ overdue_age_bucket_rows() }}

),

counted as (

    select
        owners.agreement_id,
        owners.rep_id,
        buckets.age_bucket_order,
        buckets.age_bucket,
        cast(count(overdue.mql_handoff_id) as {{ dbt.type_bigint() }}) as mqls_overdue
    from owners
    cross join buckets
    left join overdue
        on owners.agreement_id = overdue.agreement_id
        and (owners.rep_id is null or owners.rep_id = overdue.rep_id)
        and buckets.age_bucket_order = overdue.age_bucket_order
    group by owners.agreement_id, owners.rep_id, buckets.age_bucket_order, buckets.age_bucket

),

final as (

    select
        {{ composite_key(['agreement_id', "coalesce(rep_id, '(team)')",
            'age_bucket_order']) }} as overdue_bucket_id,
        agreement_id,
        rep_id,
        age_bucket_order,
        age_bucket,
        mqls_overdue
    from counted

)

select * from final
