{#- Issue #20: the hand-off's one queue, most urgent first: every MQL past
    its first-touch deadline and still untouched (by how many business hours
    it is over), then every MQL still pending whose deadline falls by the end
    of the next business day after the as-of day (how many business hours
    are left). The deadline is the moment the business-hours clock reaches
    the allowance, on the agreement's local wall clock. Each MQL counts for
    the rep who owned it when it became an MQL (issue #19). Leads appear by
    CRM record id, company and channel only: never a person's name, e-mail
    or phone. Without lead activities the clock cannot run and the queue is
    empty (the hand-off page says why). Issue #23: the page lists the first
    `page_list_rows` of the queue and says how many more there are; the whole
    queue is a CSV beside it. -#}
with

handoffs as (

    select * from {{ ref('fct_mql_handoffs') }}
    where not is_touched
        {% if kpi_missing_reason('first_touch_within_sla_rate') %}
        and false
        {% endif %}

),

agreements as (

    select * from {{ ref('int_agreements_evaluated') }}
    where period_state = 'in_progress'

),

calendar as (

    select * from {{ ref('int_business_calendar') }}

),

reps as (

    select * from {{ ref('dim_reps') }}

),

as_of_clock as (

    {# The clock at the end of the as-of day (the start of the next day),
       and at the end of the next business day's window. #}
    select
        agreements.agreement_id,
        as_of_end.business_hours_before as clock_at_as_of_end,
        min(case when later.is_business_day then later.calendar_date end)
            as next_business_date
    from agreements
    inner join calendar as as_of_end
        on agreements.agreement_id = as_of_end.agreement_id
        and {{ dbt.dateadd('day', 1, 'agreements.as_of_date') }} = as_of_end.calendar_date
    inner join calendar as later
        on agreements.agreement_id = later.agreement_id
        and agreements.as_of_date < later.calendar_date
    group by agreements.agreement_id, as_of_end.business_hours_before

),

next_business_day as (

    select
        as_of_clock.agreement_id,
        as_of_clock.clock_at_as_of_end,
        as_of_clock.next_business_date,
        calendar.business_hours_before
            + calendar.business_seconds_in_day / cast(3600 as {{ type_double() }})
            as clock_at_next_business_day_end
    from as_of_clock
    inner join calendar
        on as_of_clock.agreement_id = calendar.agreement_id
        and as_of_clock.next_business_date = calendar.calendar_date

),

queued as (

    select
        handoffs.agreement_id,
        handoffs.lead_id,
        handoffs.company_name,
        handoffs.channel,
        handoffs.owner_id,
        handoffs.mql_local_date,
        next_business_day.next_business_date,
        {# The deadline on the clock: where the MQL's clock reaches the allowance. #}
        next_business_day.clock_at_as_of_end - handoffs.business_hours_open_at_as_of
            + handoffs.first_touch_business_hours as deadline_clock,
        case
            when handoffs.is_deadline_passed then 'overdue'
            else 'due_soon'
        end as queue_state,
        case
            when handoffs.is_deadline_passed
                then handoffs.business_hours_open_at_as_of - handoffs.first_touch_business_hours
        end as business_hours_overdue,
        case
            when not handoffs.is_deadline_passed
                then handoffs.first_touch_business_hours - handoffs.business_hours_open_at_as_of
        end as business_hours_left
    from handoffs
    inner join next_business_day
        on handoffs.agreement_id = next_business_day.agreement_id
    where handoffs.is_deadline_passed
        or next_business_day.clock_at_as_of_end - handoffs.business_hours_open_at_as_of
            + handoffs.first_touch_business_hours
            <= next_business_day.clock_at_next_business_day_end

),

deadlines as (

    {# The business day whose window holds the deadline's clock value. #}
    select
        queued.agreement_id,
        queued.lead_id,
        min(calendar.calendar_date) as deadline_date
    from queued
    inner join calendar
        on queued.agreement_id = calendar.agreement_id
        and calendar.is_business_day
        and queued.deadline_clock > calendar.business_hours_before
        and queued.deadline_clock <= calendar.business_hours_before
            + calendar.business_seconds_in_day / cast(3600 as {{ type_double() }})
    group by queued.agreement_id, queued.lead_id

),

ranked as (

    {# The deadline is rounded to the second: a cast alone rounds in DuckDB
       but truncates in Spark, one second apart. #}
    select
        {{ composite_key(['queued.agreement_id', 'queued.lead_id']) }} as breach_queue_id,
        queued.agreement_id,
        queued.lead_id,
        queued.company_name,
        queued.channel,
        coalesce(queued.owner_id, 'unassigned') as rep_id,
        coalesce(reps.rep_name, queued.owner_id, 'Unassigned') as rep_name,
        queued.mql_local_date,
        queued.queue_state,
        {{ dbt.dateadd('second',
            'cast(round((queued.deadline_clock - calendar.business_hours_before) * 3600) as '
                ~ dbt.type_bigint() ~ ')',
            'calendar.business_day_start_at') }} as deadline_local_at,
        queued.business_hours_overdue,
        queued.business_hours_left,
        queued.queue_state = 'due_soon' and deadlines.deadline_date = queued.next_business_date
            as is_due_next_business_day,
        cast(row_number() over (
            partition by queued.agreement_id
            order by
                case when queued.queue_state = 'overdue' then 0 else 1 end asc,
                queued.business_hours_overdue desc,
                queued.business_hours_left asc,
                queued.lead_id asc
        ) as {{ dbt.type_int() }}) as urgency_order
    from queued
    left join deadlines
        on queued.agreement_id = deadlines.agreement_id
        and queued.lead_id = deadlines.lead_id
    left join calendar
        on deadlines.agreement_id = calendar.agreement_id
        and deadlines.deadline_date = calendar.calendar_date
    left join reps
        on queued.owner_id = reps.rep_id

),

final as (

    select
        *,
        urgency_order <= {{ var('page_list_rows') }} as is_on_page,
        cast(greatest(
            count(*) over (partition by agreement_id) - {{ var('page_list_rows') }}, 0
        ) as {{ dbt.type_int() }}) as rows_not_on_page
    from ranked

)

select * from final
