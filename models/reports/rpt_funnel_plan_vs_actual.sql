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

{#- Marketing's funnel, like with like: each stage's plan chains from the
    customers marketing must source, so each actual is lead-sourced (the
    count from every source is shown beside it). The two cohort rates are
    the KPIs' own figures (matured cohorts), so every page shows one number. -#}
{% set stages = [
    (1, 'web_sessions', 'Web sessions', none, none, none),
    (2, 'new_leads', 'Leads', 'visit_to_lead_rate', 'Visit to lead', none),
    (3, 'mqls', 'MQLs', 'lead_to_mql_rate', 'Lead to MQL (matured cohort)', 'lead_to_mql_rate'),
    (4, 'sqls', 'SQLs', 'mql_to_sql_rate', 'MQL to SQL (matured cohort)', 'mql_to_sql_rate'),
    (5, 'opportunities', 'Opportunities (lead-sourced)', 'sql_to_opportunity_rate',
        'SQL to opportunity', none),
    (6, 'proposals', 'Proposals (lead-sourced)', 'opportunity_to_proposal_rate',
        'Opportunity to proposal', none),
    (7, 'marketing_sourced_customers', 'Customers (lead-sourced)', 'proposal_to_win_rate',
        'Proposal-to-close rate', none),
    (8, 'marketing_sourced_revenue', 'Revenue (marketing-sourced)', none, none, none),
] %}

stages as (

    {% for stage_order, kpi_id, stage_name, rate_column, rate_name, rate_kpi in stages %}
    select
        agreement_id,
        cast({{ stage_order }} as {{ dbt.type_int() }}) as stage_order,
        '{{ kpi_id }}' as kpi_id,
        '{{ stage_name }}' as stage_name,
        {% if rate_name -%}
        '{{ rate_name }}'
        {%- else -%}
        cast(null as {{ dbt.type_string() }})
        {%- endif %} as rate_name,
        {% if rate_kpi -%}
        '{{ rate_kpi }}'
        {%- else -%}
        cast(null as {{ dbt.type_string() }})
        {%- endif %} as rate_kpi_id,
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
        stages.rate_name,
        stages.assumed_rate_from_previous,
        scorecard.target as planned,
        scorecard.expected_to_date as planned_to_date,
        scorecard.actual,
        scorecard.actual_all_sources,
        rate_kpis.actual as rate_kpi_actual,
        rate_kpis.sample_size as rate_sample_size,
        stages.rate_kpi_id is not null as is_cohort_rate
    from stages
    left join scorecard
        on stages.agreement_id = scorecard.agreement_id
        and stages.kpi_id = scorecard.kpi_id
    left join scorecard as rate_kpis
        on stages.agreement_id = rate_kpis.agreement_id
        and stages.rate_kpi_id = rate_kpis.kpi_id

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
        actual_all_sources,
        rate_name,
        assumed_rate_from_previous,
        case
            when is_cohort_rate then rate_kpi_actual
            when stage_order between 2 and 7 then {{ safe_ratio('actual',
                'lag(actual) over (partition by agreement_id order by stage_order)') }}
        end as actual_rate_from_previous,
        case when is_cohort_rate then rate_sample_size end as cohort_size
    from joined

)

select * from final
