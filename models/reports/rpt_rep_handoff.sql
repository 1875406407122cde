{#- The hand-off protocol per sales rep and period: the weekly review's list.

    Issue #19: everything a rep page shows is here. A rep's MQLs are the
    ones they owned when each became an MQL (int_mqls_joined_to_touches);
    each measure is judged against the agreement's target by the one status
    rule (macros/kpi_status.sql), as the team's KPI is; a median over due
    MQLs still untouched is a lower bound; "worked or settled" comes with its
    two parts; counts come with the team's average per rep. Without lead
    activities the hand-off figures are null (no data). -#}
{%- set measures = [
    ('first_touch', 'first_touch_within_sla_rate', 'mqls_due_for_first_touch'),
    ('median', 'median_first_touch_business_hours', 'mqls_due_for_first_touch'),
    ('worked', 'mqls_worked_rate', 'mqls_touch_window_closed'),
] %}
{%- set bigint = dbt.type_bigint() %}
with

due_soon as (

    {# Issue #20: each rep's MQLs due by the end of the next business day. #}
    select
        agreement_id,
        rep_id,
        count(*) as mqls_due_soon
    from {{ ref('rpt_breach_queue') }}
    where queue_state = 'due_soon'
    group by agreement_id, rep_id

),

handoffs as (

    select * from {{ ref('fct_mql_handoffs') }}

),

reps as (

    select * from {{ ref('dim_reps') }}

),

scorecard as (

    select * from {{ ref('rpt_kpi_scorecard') }}

),

per_rep as (

    select
        agreement_id,
        coalesce(owner_id, 'unassigned') as rep_id,
        count(*) as mqls_assigned,
        {{ count_where("is_due_for_first_touch") }} as mqls_due_for_first_touch,
        {{ count_where("is_touched_within_sla") }} as mqls_touched_within_sla,
        {{ count_where("is_due_for_first_touch and not is_touched") }} as mqls_due_untouched,
        {{ count_where("is_deadline_passed and not is_touched") }}
            as mqls_untouched_past_deadline,
        {{ count_where("is_touch_window_closed") }} as mqls_touch_window_closed,
        {{ count_where("is_worked") }} as mqls_worked,
        {{ count_where("is_worked_by_attempts") }} as mqls_worked_by_attempts,
        {{ count_where("is_worked and not is_worked_by_attempts") }} as mqls_settled_early,
        {# Every due MQL, an untouched one at its wait so far, as the KPI counts. #}
        {{ percentile_cont('business_hours_waited', 0.5) }}
            as median_first_touch_business_hours
    from handoffs
    group by agreement_id, coalesce(owner_id, 'unassigned')

),

measured as (

    select
        agreement_id,
        rep_id,
        mqls_assigned,
        {{ measured_for('first_touch_within_sla_rate', 'mqls_due_for_first_touch', bigint) }}
            as mqls_due_for_first_touch,
        {{ measured_for('first_touch_within_sla_rate', 'mqls_touched_within_sla', bigint) }}
            as mqls_touched_within_sla,
        {{ measured_for('first_touch_within_sla_rate',
            safe_ratio('mqls_touched_within_sla', 'mqls_due_for_first_touch')) }}
            as first_touch_within_sla_rate,
        {{ measured_for('median_first_touch_business_hours',
            'median_first_touch_business_hours') }} as median_first_touch_business_hours,
        {{ measured_for('median_first_touch_business_hours',
            'mqls_due_untouched > 0', 'boolean') }} as is_median_lower_bound,
        {{ measured_for('first_touch_within_sla_rate', 'mqls_untouched_past_deadline', bigint) }}
            as mqls_untouched_past_deadline,
        {{ measured_for('mqls_worked_rate', 'mqls_touch_window_closed', bigint) }}
            as mqls_touch_window_closed,
        {{ measured_for('mqls_worked_rate', 'mqls_worked', bigint) }} as mqls_worked,
        {{ measured_for('mqls_worked_rate', 'mqls_worked_by_attempts', bigint) }}
            as mqls_worked_by_attempts,
        {{ measured_for('mqls_worked_rate', 'mqls_settled_early', bigint) }}
            as mqls_settled_early,
        {{ measured_for('mqls_worked_rate',
            safe_ratio('mqls_worked', 'mqls_touch_window_closed')) }} as mqls_worked_rate
    from per_rep

),

judged as (

    select
        measured.*,
        {% for name, kpi_id, cases in measures %}
        {{ name }}_kpi.target as {{ name }}_target,
        {{ kpi_status(
            kpi_attainment('measured.' ~ kpi_id, name ~ '_kpi.target', name ~ '_kpi.direction'),
            name ~ '_kpi.target is not null', 'measured.' ~ kpi_id, name ~ '_kpi.period_state',
            'coalesce(measured.' ~ cases ~ ' < ' ~ name ~ '_kpi.min_sample, false)',
            kpi_attainment('measured.' ~ kpi_id, name ~ '_kpi.target', name ~ '_kpi.direction'),
            'false', name ~ '_kpi.no_data_reason') }} as {{ name }}_status
        {%- if not loop.last %},{% endif %}
        {% endfor %}
    from measured
    {% for name, kpi_id, cases in measures %}
    left join scorecard as {{ name }}_kpi
        on measured.agreement_id = {{ name }}_kpi.agreement_id
        and {{ name }}_kpi.kpi_id = '{{ kpi_id }}'
    {% endfor %}

),

final as (

    select
        {{ composite_key(['judged.agreement_id', 'judged.rep_id']) }}
            as agreement_rep_id,
        judged.agreement_id,
        judged.rep_id,
        coalesce(reps.rep_name, judged.rep_id) as rep_name,
        judged.mqls_assigned,
        judged.mqls_due_for_first_touch,
        judged.mqls_touched_within_sla,
        judged.first_touch_within_sla_rate,
        judged.first_touch_target,
        judged.first_touch_status,
        judged.median_first_touch_business_hours,
        coalesce(judged.is_median_lower_bound, false) as is_median_lower_bound,
        judged.median_target,
        judged.median_status,
        judged.mqls_untouched_past_deadline,
        judged.mqls_touch_window_closed,
        judged.mqls_worked,
        judged.mqls_worked_by_attempts,
        judged.mqls_settled_early,
        judged.mqls_worked_rate,
        judged.worked_target,
        judged.worked_status,
        cast(coalesce(due_soon.mqls_due_soon, 0) as {{ dbt.type_bigint() }}) as mqls_due_soon,
        count(*) over (partition by judged.agreement_id) as team_reps,
        cast(avg(judged.mqls_assigned) over (partition by judged.agreement_id)
            as {{ type_double() }}) as team_average_mqls_assigned,
        cast(avg(judged.mqls_untouched_past_deadline) over (partition by judged.agreement_id)
            as {{ type_double() }}) as team_average_untouched_past_deadline,
        {# Issue #20: the By rep table worst first: by the rep's worst status
           among the hand-off measures, then by the share touched within the
           SLA, lowest first. #}
        cast(row_number() over (
            partition by judged.agreement_id
            order by
                least(
                    {{ status_severity('judged.first_touch_status') }},
                    {{ status_severity('judged.median_status') }},
                    {{ status_severity('judged.worked_status') }}
                ),
                case when judged.first_touch_within_sla_rate is null then 1 else 0 end,
                judged.first_touch_within_sla_rate,
                judged.rep_id
        ) as {{ dbt.type_int() }}) as rep_order
    from judged
    left join reps
        on judged.rep_id = reps.rep_id
    left join due_soon
        on judged.agreement_id = due_soon.agreement_id
        and judged.rep_id = due_soon.rep_id

)

select * from final
