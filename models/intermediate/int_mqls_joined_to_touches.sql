{#- One row per MQL of an agreement period with its hand-off clock.

    Rules (shown on the KPI definitions page):
    - an MQL belongs to the agreement whose period holds its local MQL date,
      up to the as-of date;
    - a touch is an outbound touch by sales: a non-automated activity at or
      after mql_at, on or before the as-of local day, by a rep whose team is
      `sales` in reps (a marketing rep's nurture e-mail does not stop the
      sales clock; an activity with no or an unknown rep is not a touch);
    - the clock counts business hours in the agreement's time zone (see
      int_business_calendar);
    - an MQL is due for first touch once it was touched or its allowance of
      first_touch_business_hours has run out by the end of the as-of day;
      until then it is pending and out of the rate's denominator;
    - attempts are touches within touch_window_days calendar days of mql_at;
      the window must have ended by the as-of day. A lead settled inside the
      window (converted to SQL or disqualified) needs no more attempts;
    - dispositioned: inside the window sales accepted (sal_at), converted
      (sql_at) or disqualified the lead with a reason;
    - the conversion cohort is matured when the local MQL date is at least
      conversion_window_days before the as-of day;
    - a breach belongs to whoever owned the lead when it became an MQL
      (issue #19): the latest lead_owner_history row at or before mql_at
      (a row without a date counts from the lead's creation); a lead with no
      such row keeps its current owner.

    Issue #20: one row per MQL and evaluation (int_kpi_evaluations): as of
    the as-of day, and for the agreement in progress as of each earlier
    weekly evaluation day, every flag as it stood that day. Touches are
    joined once, for the as-of day; an earlier evaluation sees the first
    touch only if it came before its day ended. -#}
with

agreements as (

    select * from {{ ref('int_kpi_evaluations') }}

),

leads as (

    select * from {{ ref('stg_crm__leads') }}
    where quarantine_reason is null
        and mql_at is not null

),

sales_reps as (

    select rep_id from {{ ref('stg_crm__reps') }}
    where quarantine_reason is null
        and team = 'sales'

),

activities as (

    select activities.*
    from {{ ref('int_activities_validated') }} as activities
    inner join sales_reps
        on activities.rep_id = sales_reps.rep_id
    where activities.quarantine_reason is null
        and not activities.is_automated

),

calendar as (

    select * from {{ ref('int_business_calendar') }}

),

owner_history as (

    select * from {{ ref('stg_crm__lead_owner_history') }}
    where quarantine_reason is null

),

mqls as (

    select
        agreements.agreement_id,
        agreements.evaluated_agreement_id,
        agreements.weeks_before_as_of,
        leads.lead_id,
        leads.owner_id as current_owner_id,
        leads.channel,
        leads.company_name,
        leads.mql_at,
        leads.sal_at,
        leads.sql_at,
        leads.disqualified_at,
        leads.disqualified_reason,
        agreements.time_zone,
        agreements.first_touch_business_hours,
        agreements.min_touch_attempts,
        agreements.touch_window_days,
        agreements.conversion_window_days,
        agreements.as_of_date,
        {{ to_local_timestamp('leads.mql_at', 'agreements.time_zone') }} as mql_local_at,
        {{ to_local_timestamp('leads.sal_at', 'agreements.time_zone') }} as sal_local_at,
        {{ to_local_timestamp('leads.sql_at', 'agreements.time_zone') }} as sql_local_at,
        {{ to_local_timestamp('leads.disqualified_at', 'agreements.time_zone') }}
            as disqualified_local_at,
        {{ dbt.dateadd('day', 1, 'cast(agreements.as_of_date as ' ~ dbt.type_timestamp()
            ~ ')') }} as as_of_end_local_at,
        {{ dbt.dateadd('day', 'agreements.touch_window_days',
            to_local_timestamp('leads.mql_at', 'agreements.time_zone')) }}
            as touch_window_end_local_at
    from leads
    inner join agreements
        on {{ in_agreement_window('leads.mql_at') }}

),

owners_at_mql as (

    select
        mqls.agreement_id,
        mqls.lead_id,
        owner_history.owner_id,
        row_number() over (
            partition by mqls.agreement_id, mqls.lead_id
            order by
                case when owner_history.valid_from_at is null then 0 else 1 end desc,
                owner_history.valid_from_at desc,
                owner_history.owner_id desc
        ) as assignment_rank
    from mqls
    inner join owner_history
        on mqls.lead_id = owner_history.lead_id
        and (owner_history.valid_from_at is null
            or mqls.mql_at >= owner_history.valid_from_at)

),

touch_time_zones as (

    {# The UTC range a touch can fall in, per time zone: from the first MQL
       to the end of the as-of day (utc_offset_days adds days either side). #}
    select
        time_zone,
        min(mql_at) as first_at,
        max(as_of_end_local_at) as last_at
    from mqls
    where weeks_before_as_of = 0
    group by time_zone

),

utc_offset_days as (

    {# Issue #23: one offset per zone and UTC day, so a touch's wall-clock
       time is an addition rather than a time-zone conversion per row. #}
    {{ utc_offset_days('touch_time_zones') }}

),

touches_local as (

    {# The as-of day's MQLs only: an earlier evaluation's MQLs are among
       them, and reuse their touches (issue #20). #}
    select
        mqls.agreement_id,
        mqls.lead_id,
        activities.occurred_at,
        {{ local_timestamp_by_offset('activities.occurred_at', 'mqls.time_zone',
            'utc_offset_days') }} as occurred_local_at,
        mqls.touch_window_end_local_at,
        mqls.as_of_end_local_at
    from mqls
    inner join activities
        on mqls.lead_id = activities.lead_id
        and mqls.mql_at <= activities.occurred_at
    left join utc_offset_days
        on mqls.time_zone = utc_offset_days.time_zone
        and cast(activities.occurred_at as date) = utc_offset_days.utc_date
    where mqls.weeks_before_as_of = 0

),

touches as (

    select
        agreement_id,
        lead_id,
        occurred_at,
        occurred_local_at,
        touch_window_end_local_at
    from touches_local
    where occurred_local_at < as_of_end_local_at

),

touches_summarised as (

    select
        agreement_id,
        lead_id,
        min(occurred_at) as first_touch_at,
        min(occurred_local_at) as first_touch_local_at,
        {{ count_where("occurred_local_at <= touch_window_end_local_at") }}
            as touch_attempts_in_window
    from touches
    group by agreement_id, lead_id

),

clocked as (

    select
        mqls.*,
        case
            when owners_at_mql.lead_id is not null then owners_at_mql.owner_id
            else mqls.current_owner_id
        end as owner_id,
        owners_at_mql.lead_id is not null as is_owner_from_history,
        touches_summarised.first_touch_at,
        coalesce(touches_summarised.touch_attempts_in_window, 0) as touch_attempts_in_window,
        {{ business_clock_hours('touch_calendar', 'touches_summarised.first_touch_local_at') }}
            - {{ business_clock_hours('mql_calendar', 'mqls.mql_local_at') }}
            as business_hours_to_first_touch,
        {{ business_clock_hours('as_of_calendar', 'mqls.as_of_end_local_at') }}
            - {{ business_clock_hours('mql_calendar', 'mqls.mql_local_at') }}
            as business_hours_open_at_as_of
    from mqls
    left join touches_summarised
        on mqls.evaluated_agreement_id = touches_summarised.agreement_id
        and mqls.lead_id = touches_summarised.lead_id
        {# An earlier evaluation: only a first touch before its day ended. #}
        and mqls.as_of_end_local_at > touches_summarised.first_touch_local_at
    left join owners_at_mql
        on mqls.agreement_id = owners_at_mql.agreement_id
        and mqls.lead_id = owners_at_mql.lead_id
        and owners_at_mql.assignment_rank = 1
    left join calendar as mql_calendar
        on mqls.evaluated_agreement_id = mql_calendar.agreement_id
        and cast(mqls.mql_local_at as date) = mql_calendar.calendar_date
    left join calendar as touch_calendar
        on mqls.evaluated_agreement_id = touch_calendar.agreement_id
        and cast(touches_summarised.first_touch_local_at as date) = touch_calendar.calendar_date
    left join calendar as as_of_calendar
        on mqls.evaluated_agreement_id = as_of_calendar.agreement_id
        and cast(mqls.as_of_end_local_at as date) = as_of_calendar.calendar_date

),

windowed as (

    select
        *,
        touch_window_end_local_at <= as_of_end_local_at as is_touch_window_closed,
        sql_local_at between mql_local_at and touch_window_end_local_at
            as is_sql_in_window,
        disqualified_local_at between mql_local_at and touch_window_end_local_at
            as is_disqualified_in_window,
        sal_local_at between mql_local_at and touch_window_end_local_at
            as is_accepted_in_window
    from clocked

),

final as (

    select
        {{ composite_key(['agreement_id', 'lead_id']) }} as mql_handoff_id,
        agreement_id,
        evaluated_agreement_id,
        weeks_before_as_of,
        lead_id,
        owner_id,
        current_owner_id,
        is_owner_from_history,
        channel,
        company_name,
        disqualified_reason,
        cast(mql_local_at as date) as mql_local_date,
        cast({{ dbt.date_trunc('month', 'cast(mql_local_at as date)') }} as date)
            as mql_month_start_date,
        as_of_date,
        first_touch_business_hours,
        min_touch_attempts,
        touch_window_days,
        conversion_window_days,
        business_hours_to_first_touch,
        business_hours_open_at_as_of,
        touch_attempts_in_window,
        first_touch_at is not null as is_touched,
        business_hours_open_at_as_of >= first_touch_business_hours as is_deadline_passed,
        first_touch_at is not null
            or business_hours_open_at_as_of >= first_touch_business_hours
            as is_due_for_first_touch,
        first_touch_at is not null
            and business_hours_to_first_touch <= first_touch_business_hours
            as is_touched_within_sla,
        {# Percentiles count every due MQL: an untouched one at the hours it
           has waited so far, a lower bound of its real wait, so ignoring a
           lead can never improve them. #}
        case
            when first_touch_at is not null then business_hours_to_first_touch
            when business_hours_open_at_as_of >= first_touch_business_hours
                then business_hours_open_at_as_of
        end as business_hours_waited,
        is_touch_window_closed,
        coalesce(is_sql_in_window or is_disqualified_in_window, false)
            as is_settled_in_window,
        is_touch_window_closed
            and (touch_attempts_in_window >= min_touch_attempts
                or coalesce(is_sql_in_window or is_disqualified_in_window, false))
            as is_worked,
        {# Issue #19: "worked or settled" says which: the attempts made, or
           settled early (converted or disqualified) without them. #}
        is_touch_window_closed and touch_attempts_in_window >= min_touch_attempts
            as is_worked_by_attempts,
        is_touch_window_closed
            and coalesce(is_accepted_in_window or is_sql_in_window
                or (is_disqualified_in_window and disqualified_reason is not null), false)
            as is_dispositioned,
        cast(mql_local_at as date)
            <= {{ dbt.dateadd('day', '-conversion_window_days', 'as_of_date') }}
            as is_conversion_matured,
        sql_at is not null
            and {{ local_date('sql_at', 'time_zone') }} <= as_of_date as is_sql,
        disqualified_at is not null
            and {{ local_date('disqualified_at', 'time_zone') }} <= as_of_date
            as is_disqualified,
        mql_at,
        first_touch_at
    from windowed

)

select * from final
