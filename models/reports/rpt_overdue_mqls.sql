{#- MQLs whose first-touch allowance has run out with no touch: the list the
    weekly review works through, per rep (the owner when the lead became an
    MQL). Leads appear by id and company only: never a person's name or
    e-mail. Without lead activities the clock cannot run and nothing is
    listed (issue #19: every MQL would look untouched). Issue #23: a rep's
    page lists the first `page_list_rows` of theirs, oldest first, and says
    how many more there are; all of them are a CSV beside the page. -#}
with

handoffs as (

    select * from {{ ref('fct_mql_handoffs') }}
    where is_deadline_passed
        and not is_touched
        {% if kpi_missing_reason('first_touch_within_sla_rate') %}
        and false
        {% endif %}

),

reps as (

    select * from {{ ref('dim_reps') }}

),

aged as (

    select
        handoffs.*,
        cast({{ dbt.datediff('handoffs.mql_local_date', 'handoffs.as_of_date', 'day') }}
            as {{ dbt.type_bigint() }}) as days_since_mql
    from handoffs

),

listed as (

    select
        aged.mql_handoff_id,
        aged.agreement_id,
        aged.lead_id,
        aged.company_name,
        coalesce(aged.owner_id, 'unassigned') as rep_id,
        coalesce(reps.rep_name, aged.owner_id, 'Unassigned') as rep_name,
        aged.channel,
        aged.mql_local_date,
        aged.days_since_mql,
        aged.business_hours_open_at_as_of - aged.first_touch_business_hours
            as business_hours_overdue,
        {{ overdue_age_bucket('aged.days_since_mql') }} as age_bucket,
        {{ overdue_age_bucket('aged.days_since_mql', 'order') }}
            as age_bucket_order
    from aged
    left join reps
        on aged.owner_id = reps.rep_id

),

ranked as (

    select
        *,
        cast(row_number() over (
            partition by agreement_id, rep_id
            order by days_since_mql desc, lead_id asc
        ) as {{ dbt.type_int() }}) as rep_list_order,
        count(*) over (partition by agreement_id, rep_id) as rep_list_rows
    from listed

),

final as (

    select
        mql_handoff_id,
        agreement_id,
        lead_id,
        company_name,
        rep_id,
        rep_name,
        channel,
        mql_local_date,
        days_since_mql,
        business_hours_overdue,
        age_bucket,
        age_bucket_order,
        rep_list_order,
        rep_list_order <= {{ var('page_list_rows') }} as is_on_page,
        cast(greatest(rep_list_rows - {{ var('page_list_rows') }}, 0)
            as {{ dbt.type_int() }}) as rows_not_on_page
    from ranked

)

select * from final
