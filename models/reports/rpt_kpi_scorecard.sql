{#- Every KPI of every agreement period: actual, target, pace and status.
    KPIs are discovered from the dbt graph (columns with meta.kpi in the
    models of the `kpi_models` var), so a new KPI needs SQL + YAML only. -#}
{%- for model_name in var('kpi_models') %}
-- depends_on: {{ ref(model_name) }}
{%- endfor %}
{%- set kpis = kpi_columns() %}
with

agreements as (

    select * from {{ ref('int_agreements_evaluated') }}

),

targets as (

    select * from {{ ref('fct_kpi_targets') }}

),

actuals as (

    {% for kpi in kpis %}
    select
        agreement_id,
        '{{ kpi.column }}' as kpi_id,
        '{{ kpi.meta.title | replace("'", "''") }}' as kpi_title,
        '{{ kpi.meta.section }}' as kpi_section,
        '{{ kpi.meta.owner }}' as owner_team,
        '{{ kpi.meta.unit }}' as unit,
        '{{ kpi.meta.direction | default("higher") }}' as direction,
        '{{ kpi.meta.pacing | default("none") }}' as pacing,
        cast({{ loop.index }} as {{ dbt.type_int() }}) as kpi_order,
        '{{ kpi.model }}' as computed_by_model,
        cast({{ kpi.column }} as {{ type_double() }}) as actual
    from {{ ref(kpi.model) }}
    {% if not loop.last %}union all{% endif %}
    {% else %}
    {# Parse time: the graph is not complete yet, any valid shape will do. #}
    select
        cast(null as {{ dbt.type_string() }}) as agreement_id,
        cast(null as {{ dbt.type_string() }}) as kpi_id,
        cast(null as {{ dbt.type_string() }}) as kpi_title,
        cast(null as {{ dbt.type_string() }}) as kpi_section,
        cast(null as {{ dbt.type_string() }}) as owner_team,
        cast(null as {{ dbt.type_string() }}) as unit,
        cast(null as {{ dbt.type_string() }}) as direction,
        cast(null as {{ dbt.type_string() }}) as pacing,
        cast(0 as {{ dbt.type_int() }}) as kpi_order,
        cast(null as {{ dbt.type_string() }}) as computed_by_model,
        cast(null as {{ type_double() }}) as actual
    {% endfor %}

),

paced as (

    select
        actuals.*,
        agreements.period_state,
        agreements.elapsed_days,
        agreements.period_days,
        targets.target,
        targets.target_source,
        case
            when actuals.pacing = 'cumulative'
                then targets.target * agreements.elapsed_days / agreements.period_days
            else targets.target
        end as expected_to_date,
        case
            when actuals.pacing = 'cumulative' and agreements.elapsed_days > 0
                then actuals.actual * agreements.period_days / agreements.elapsed_days
            when actuals.pacing = 'cumulative' then null
            else actuals.actual
        end as projected
    from actuals
    inner join agreements
        on actuals.agreement_id = agreements.agreement_id
    left join targets
        on actuals.agreement_id = targets.agreement_id
        and actuals.kpi_id = targets.kpi_id

),

assessed as (

    select
        *,
        {{ kpi_attainment('actual', 'expected_to_date', 'direction') }} as attainment,
        {{ kpi_attainment('actual', 'target', 'direction') }} as target_attainment
    from paced

),

final as (

    select
        {{ dbt.concat(['agreement_id', "'|'", 'kpi_id']) }} as agreement_kpi_id,
        agreement_id,
        kpi_id,
        kpi_title,
        kpi_section,
        owner_team,
        unit,
        direction,
        pacing,
        kpi_order,
        computed_by_model,
        period_state,
        actual,
        target,
        target_source,
        expected_to_date,
        projected,
        case
            when expected_to_date is null or actual is null then null
            else actual - expected_to_date
        end as gap_to_expected,
        attainment,
        {{ kpi_status('attainment', 'target is not null', 'actual') }} as status,
        target is not null and actual is not null and target_attainment >= 1 as is_target_met
    from assessed

)

select * from final
