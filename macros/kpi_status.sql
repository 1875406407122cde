{#- Attainment: how far the actual is toward where it should be. Volumes are
    paced (compared with the pace curve to date); rates and averages are
    compared with the target itself. Lower-is-better KPIs invert it. -#}
{% macro kpi_attainment(actual, comparable_target, direction) -%}
    case
        when {{ actual }} is null or {{ comparable_target }} is null then null
        when {{ direction }} = 'lower' then
            case
                when {{ actual }} = 0 then 1e9
                else {{ comparable_target }} / {{ actual }}
            end
        when {{ comparable_target }} = 0 then 1e9
        else {{ actual }} / {{ comparable_target }}
    end
{%- endmacro %}

{#- The status of a KPI in a window (a period or a month), first match wins.
    The one status rule of the site: the scorecard, the months and each rep
    (issue #19) are judged by it.
    - not_started: the window has not begun (nothing can be judged yet);
    - no_data with a reason: an input the team lacks, or a rate true by
      construction in this data (`no_data_reason` is not null);
    - maturing: a cohort rate none of whose cohort has had its conversion
      window yet (`matures_on` is not null): the value so far is shown;
    - no_target / no_data: nothing to compare, or no value;
    - too_few: a rate or percentile over fewer than min_sample cases (the
      value is still shown);
    - met / missed: a closed window, the actual against the whole target;
    - met: a volume (higher is better) already at its whole target;
    - on_track / at_risk / behind: attainment of pace against the thresholds.
    `window_state` is 'upcoming', 'final' (closed) or anything else (open). -#}
{% macro kpi_status(attainment, has_target, actual, window_state, is_too_few,
                    target_attainment, is_volume, no_data_reason='null',
                    matures_on='null') -%}
    case
        when {{ window_state }} = 'upcoming' then 'not_started'
        when {{ no_data_reason }} is not null then 'no_data'
        when {{ matures_on }} is not null then 'maturing'
        when not ({{ has_target }}) then 'no_target'
        when {{ actual }} is null then 'no_data'
        when {{ is_too_few }} then 'too_few'
        when {{ window_state }} = 'final' then
            case when {{ target_attainment }} >= 1 then 'met' else 'missed' end
        when ({{ is_volume }}) and {{ target_attainment }} >= 1 then 'met'
        when {{ attainment }} >= {{ var('status_on_track_min') }} then 'on_track'
        when {{ attainment }} >= {{ var('status_at_risk_min') }} then 'at_risk'
        else 'behind'
    end
{%- endmacro %}

{#- The pace a volume expects of one month by a day (issue #20: the one pace
    curve, for the as-of day and for every earlier weekly evaluation): its
    whole target once all its days in the period have passed, its target x
    elapsed days / days while it runs, nothing before it starts. -#}
{% macro month_expected_to_date(month_target, days_elapsed, days_in_period) -%}
    case
        when {{ days_elapsed }} >= {{ days_in_period }} then {{ month_target }}
        when {{ days_elapsed }} > 0
            then {{ month_target }} * {{ days_elapsed }} / {{ days_in_period }}
        else 0
    end
{%- endmacro %}

{#- How bad a status is, for ordering worst first (issue #20): behind or
    missed, then at risk, then judged good, then what cannot be judged. -#}
{% macro status_severity(status) -%}
    case
        when {{ status }} in ('behind', 'missed') then 1
        when {{ status }} = 'at_risk' then 2
        when {{ status }} in ('on_track', 'met') then 3
        when {{ status }} in ('too_few', 'maturing') then 4
        else 5
    end
{%- endmacro %}
