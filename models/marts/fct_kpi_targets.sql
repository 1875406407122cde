{#- Each agreement's target per KPI. Explicit rows in sla_targets win;
    otherwise targets come from the revenue goal by the reverse funnel (as in
    HubSpot's SLA calculator): the company's customers = ceil(goal / average
    deal); marketing's customers = ceil(goal x marketing share / average
    deal), then each earlier stage = ceil(next stage / its assumed rate), up
    to web sessions. -#}
with

agreements as (

    select * from {{ ref('stg_sla__agreements') }}

),

explicit_targets as (

    select * from {{ ref('stg_sla__targets') }}
    where month_start_date is null

),

customers as (

    select
        agreements.*,
        {{ ceiling_of_ratio('agreements.revenue_goal', 'agreements.average_deal_size') }}
            as customers_needed,
        {{ ceiling_of_ratio('agreements.revenue_goal * agreements.marketing_revenue_share',
            'agreements.average_deal_size') }} as marketing_customers_needed
    from agreements

),

{#- Marketing's funnel chains from the customers marketing must source, not
    from every customer: sales-sourced deals never pass through it. #}

proposals as (

    select
        *,
        {{ ceiling_of_ratio('marketing_customers_needed', 'proposal_to_win_rate') }}
            as proposals_needed
    from customers

),

opportunities as (

    select
        *,
        {{ ceiling_of_ratio('proposals_needed', 'opportunity_to_proposal_rate') }}
            as opportunities_needed
    from proposals

),

sqls as (

    select
        *,
        {{ ceiling_of_ratio('opportunities_needed', 'sql_to_opportunity_rate') }}
            as sqls_needed
    from opportunities

),

mqls as (

    select
        *,
        {{ ceiling_of_ratio('sqls_needed', 'mql_to_sql_rate') }} as mqls_needed
    from sqls

),

leads as (

    select
        *,
        {{ ceiling_of_ratio('mqls_needed', 'lead_to_mql_rate') }} as leads_needed
    from mqls

),

reverse_funnel as (

    select
        *,
        {{ ceiling_of_ratio('leads_needed', 'visit_to_lead_rate') }} as web_sessions_needed
    from leads

),

derived_targets as (

    {% set derived = [
        ('new_revenue', 'revenue_goal'),
        ('marketing_sourced_revenue', 'revenue_goal * marketing_revenue_share'),
        ('new_customers', 'customers_needed'),
        ('marketing_sourced_customers', 'marketing_customers_needed'),
        ('proposals', 'proposals_needed'),
        ('opportunities', 'opportunities_needed'),
        ('sqls', 'sqls_needed'),
        ('mqls', 'mqls_needed'),
        ('new_leads', 'leads_needed'),
        ('web_sessions', 'web_sessions_needed'),
        ('average_deal_size', 'average_deal_size'),
        ('lead_to_mql_rate', 'lead_to_mql_rate'),
        ('mql_to_sql_rate', 'mql_to_sql_rate'),
    ] %}
    {% for kpi_id, expression in derived %}
    select
        agreement_id,
        '{{ kpi_id }}' as kpi_id,
        cast({{ expression }} as {{ type_double() }}) as target
    from reverse_funnel
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

unioned as (

    select
        agreement_id,
        kpi_id,
        target,
        'explicit' as target_source
    from explicit_targets

    union all

    select
        derived_targets.agreement_id,
        derived_targets.kpi_id,
        derived_targets.target,
        'derived' as target_source
    from derived_targets
    left join explicit_targets
        on derived_targets.agreement_id = explicit_targets.agreement_id
        and derived_targets.kpi_id = explicit_targets.kpi_id
    where explicit_targets.kpi_id is null

),

final as (

    select
        {{ composite_key(['agreement_id', 'kpi_id']) }} as agreement_kpi_id,
        agreement_id,
        kpi_id,
        target,
        target_source
    from unioned

)

select * from final
