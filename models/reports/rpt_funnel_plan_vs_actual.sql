{#- The reverse funnel of each period: planned volume per stage (the target)
    against the actual, and the assumed conversion into each stage against
    the actual one. -#}
with

agreements as (

    select * from {{ ref('dim_agreements') }}

),

scorecard as (

    select * from {{ ref('rpt_kpi_scorecard') }}

),

{% set stages = [
    (1, 'web_sessions', 'Web sessions', none),
    (2, 'new_leads', 'Leads', 'visit_to_lead_rate'),
    (3, 'mqls', 'MQLs', 'lead_to_mql_rate'),
    (4, 'sqls', 'SQLs', 'mql_to_sql_rate'),
    (5, 'opportunities', 'Opportunities', 'sql_to_opportunity_rate'),
    (6, 'proposals', 'Proposals', 'opportunity_to_proposal_rate'),
    (7, 'new_customers', 'Customers', 'proposal_to_win_rate'),
    (8, 'new_revenue', 'Revenue', none),
] %}

stages as (

    {% for stage_order, kpi_id, stage_name, rate_column in stages %}
    select
        agreement_id,
        cast({{ stage_order }} as {{ dbt.type_int() }}) as stage_order,
        '{{ kpi_id }}' as kpi_id,
        '{{ stage_name }}' as stage_name,
        {% if rate_column %}{{ rate_column }}{% else %}cast(null as {{ type_double() }}){% endif %}
            as assumed_rate_from_previous
    from agreements
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

joined as (

    select
        stages.agreement_id,
        stages.stage_order,
        stages.kpi_id,
        stages.stage_name,
        stages.assumed_rate_from_previous,
        scorecard.target as planned,
        scorecard.expected_to_date as planned_to_date,
        scorecard.actual
    from stages
    left join scorecard
        on stages.agreement_id = scorecard.agreement_id
        and stages.kpi_id = scorecard.kpi_id

),

final as (

    select
        {{ composite_key(['agreement_id', 'kpi_id']) }} as funnel_stage_id,
        agreement_id,
        stage_order,
        kpi_id,
        stage_name,
        planned,
        planned_to_date,
        actual,
        assumed_rate_from_previous,
        case
            when stage_order between 2 and 7 then {{ safe_ratio('actual',
                'lag(actual) over (partition by agreement_id order by stage_order)') }}
        end as actual_rate_from_previous
    from joined

)

select * from final
