{#- The reverse funnel of each period: planned volume per stage (the target)
    against the actual, and the assumed conversion into each stage against
    the actual one.

    Issue #19, the plan meets reality: each actual rate says what it is (a
    matured cohort rate or a ratio of the period's volumes), the stage
    furthest below its assumed rate is "the leak", and the funnel is worked
    back again at the rates actually achieved so far (and the actual
    average deal size): the volumes each stage would need to reach the goal
    at the rates the teams really convert. -#}
with

agreements as (

    select * from {{ ref('dim_agreements') }}

),

scorecard as (

    select * from {{ ref('rpt_kpi_scorecard') }}

),

{#- Marketing's funnel, like with like: each stage's plan chains from the
    customers marketing must source, so each actual is marketing-sourced (the
    attribution rule in force; the sales-sourced count and the count from
    every source are shown beside it). The two cohort rates are
    the KPIs' own figures (matured cohorts), so every page shows one number. -#}
{% set stages = [
    (1, 'web_sessions', 'Web sessions', none, none, none),
    (2, 'new_leads', 'Leads', 'visit_to_lead_rate', 'Visit to lead', none),
    (3, 'mqls', 'MQLs', 'lead_to_mql_rate', 'Lead to MQL (matured cohort)', 'lead_to_mql_rate'),
    (4, 'sqls', 'SQLs', 'mql_to_sql_rate', 'MQL to SQL (matured cohort)', 'mql_to_sql_rate'),
    (5, 'opportunities', 'Opportunities (marketing-sourced)', 'sql_to_opportunity_rate',
        'SQL to opportunity', none),
    (6, 'proposals', 'Proposals (marketing-sourced)', 'opportunity_to_proposal_rate',
        'Opportunity to proposal', none),
    (7, 'marketing_sourced_customers', 'Customers (marketing-sourced)', 'proposal_to_win_rate',
        'Proposal to win', none),
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
        scorecard.actual_sales_sourced,
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

rated as (

    select
        agreement_id,
        stage_order,
        kpi_id,
        stage_name,
        planned,
        planned_to_date,
        actual,
        actual_all_sources,
        actual_sales_sourced,
        rate_name,
        assumed_rate_from_previous,
        case
            when is_cohort_rate then rate_kpi_actual
            when stage_order between 2 and 7 then {{ safe_ratio('actual',
                'lag(actual) over (partition by agreement_id order by stage_order)') }}
        end as actual_rate_from_previous,
        case
            when is_cohort_rate then 'matured cohort'
            when stage_order between 2 and 7 then 'period ratio'
        end as rate_basis,
        case when is_cohort_rate then rate_sample_size end as cohort_size
    from joined

),

actual_rates as (

    {# The funnel worked back at the actual rates, one row per agreement:
       the revenue marketing must source, customers at the actual average
       deal size, then each earlier stage = the next one / its actual rate,
       rounded up as the plan is (needed_7 ... needed_1). A stage with no
       actual rate (none measured, or 0) leaves it and every earlier stage
       unknown. #}
    select
        rated.agreement_id,
        max(case when rated.stage_order = 8 then rated.planned end) as revenue_needed,
        max(deal_sizes.actual) as average_deal_size,
        {% for stage in range(2, 8) %}
        max(case when rated.stage_order = {{ stage }}
            then nullif(rated.actual_rate_from_previous, 0) end) as rate_into_{{ stage }}
        {%- if not loop.last %},{% endif %}
        {% endfor %}
    from rated
    left join scorecard as deal_sizes
        on rated.agreement_id = deal_sizes.agreement_id
        and deal_sizes.kpi_id = 'average_deal_size'
    group by rated.agreement_id

),

needed_8 as (

    select
        *,
        revenue_needed as needed_at_stage_8
    from actual_rates

),

needed_7 as (

    select
        *,
        {{ ceiling_of_ratio('needed_at_stage_8', 'nullif(average_deal_size, 0)') }}
            as needed_at_stage_7
    from needed_8

),

{% for stage in range(6, 0, -1) %}
needed_{{ stage }} as (

    select
        *,
        {{ ceiling_of_ratio('needed_at_stage_' ~ (stage + 1), 'rate_into_' ~ (stage + 1)) }}
            as needed_at_stage_{{ stage }}
    from needed_{{ stage + 1 }}

),

{% endfor %}
reworked as (

    {% for stage in range(1, 9) %}
    select
        agreement_id,
        cast({{ stage }} as {{ dbt.type_int() }}) as stage_order,
        cast(needed_at_stage_{{ stage }} as {{ type_double() }}) as needed_at_actual_rates
    from needed_1
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

leaks as (

    select
        agreement_id,
        stage_order,
        actual_rate_from_previous / assumed_rate_from_previous as rate_attainment,
        row_number() over (
            partition by agreement_id
            order by actual_rate_from_previous / assumed_rate_from_previous, stage_order
        ) as leak_rank
    from rated
    where actual_rate_from_previous is not null
        and assumed_rate_from_previous > 0

),

final as (

    select
        {{ composite_key(['rated.agreement_id', 'rated.kpi_id']) }} as funnel_stage_id,
        rated.agreement_id,
        rated.stage_order,
        rated.kpi_id,
        rated.stage_name,
        rated.planned,
        rated.planned_to_date,
        rated.actual,
        rated.actual_all_sources,
        rated.actual_sales_sourced,
        rated.rate_name,
        rated.assumed_rate_from_previous,
        rated.actual_rate_from_previous,
        rated.rate_basis,
        rated.cohort_size,
        leaks.rate_attainment,
        coalesce(leaks.leak_rank = 1 and leaks.rate_attainment < 1, false) as is_leak,
        reworked.needed_at_actual_rates
    from rated
    left join leaks
        on rated.agreement_id = leaks.agreement_id
        and rated.stage_order = leaks.stage_order
    left join reworked
        on rated.agreement_id = reworked.agreement_id
        and rated.stage_order = reworked.stage_order

)

select * from final
