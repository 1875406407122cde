{#- Attainment: how far the actual is toward where it should be. Volumes are
    paced (compared with target x elapsed / period days); rates and averages
    are compared with the target itself. Lower-is-better KPIs invert it. -#}
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

{% macro kpi_status(attainment, has_target, actual) -%}
    case
        when not {{ has_target }} then 'no_target'
        when {{ actual }} is null then 'no_data'
        when {{ attainment }} >= {{ var('status_on_track_min') }} then 'on_track'
        when {{ attainment }} >= {{ var('status_at_risk_min') }} then 'at_risk'
        else 'behind'
    end
{%- endmacro %}
