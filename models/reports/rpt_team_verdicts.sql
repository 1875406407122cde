{#- Issue #20: one verdict per team (a KPI's owner: marketing, sales) and
    agreement period, the first thing the Overview shows: how many of the
    team's commitments are on track, at risk or behind (in a closed period:
    met or missed), how many have no data or cannot be judged yet, how many
    have been behind two weekly evaluations running, and the one figure the
    team's VP owns (the team_headline_kpis var) with its status and the week
    before. -#}
{%- set headlines = var('team_headline_kpis') %}
with

scorecard as (

    select * from {{ ref('rpt_kpi_scorecard') }}

),

counted as (

    select
        agreement_id,
        owner_team,
        period_state,
        count(*) as commitments,
        {{ count_where("status = 'on_track'") }} as on_track,
        {{ count_where("status = 'at_risk'") }} as at_risk,
        {{ count_where("status = 'behind'") }} as behind,
        {{ count_where("status = 'met'") }} as met,
        {{ count_where("status = 'missed'") }} as missed,
        {{ count_where("status = 'no_data'") }} as no_data,
        {{ count_where("status in ('too_few', 'maturing', 'no_target', 'not_started')") }}
            as not_judged,
        {{ count_where("weeks_behind >= 2") }} as behind_two_weeks_running
    from scorecard
    group by agreement_id, owner_team, period_state

),

headline as (

    select
        agreement_id,
        owner_team,
        kpi_id as headline_kpi_id,
        kpi_title as headline_kpi_title,
        unit as headline_unit,
        actual as headline_actual,
        target as headline_target,
        status as headline_status,
        no_data_reason as headline_no_data_reason,
        actual_week_before as headline_actual_week_before
    from scorecard
    where
        {%- for team, kpi_id in headlines.items() %}
        {{ 'or ' if not loop.first }}(owner_team = '{{ team }}' and kpi_id = '{{ kpi_id }}')
        {%- endfor %}
        {%- if not headlines %} false{% endif %}

),

final as (

    select
        {{ composite_key(['counted.agreement_id', 'counted.owner_team']) }}
            as agreement_team_id,
        counted.agreement_id,
        counted.owner_team as team,
        cast(case counted.owner_team when 'marketing' then 1 when 'sales' then 2 else 3 end
            as {{ dbt.type_int() }}) as team_order,
        counted.period_state,
        counted.commitments,
        counted.on_track,
        counted.at_risk,
        counted.behind,
        counted.met,
        {# An open period's tile counts a commitment already met as on track. #}
        counted.on_track + counted.met as on_track_or_met,
        counted.missed,
        counted.no_data,
        counted.not_judged,
        counted.behind_two_weeks_running,
        {# The team's verdict: its worst judged commitment; no data only
           when nothing could be judged. #}
        case
            when counted.period_state = 'final' and counted.missed > 0 then 'missed'
            when counted.period_state = 'final' and counted.met > 0 then 'met'
            when counted.behind > 0 then 'behind'
            when counted.at_risk > 0 then 'at_risk'
            when counted.on_track + counted.met > 0 then 'on_track'
            when counted.period_state = 'upcoming' then 'not_started'
            else 'no_data'
        end as verdict,
        headline.headline_kpi_id,
        headline.headline_kpi_title,
        headline.headline_unit,
        headline.headline_actual,
        headline.headline_target,
        headline.headline_status,
        headline.headline_no_data_reason,
        headline.headline_actual_week_before
    from counted
    left join headline
        on counted.agreement_id = headline.agreement_id
        and counted.owner_team = headline.owner_team

)

select * from final
