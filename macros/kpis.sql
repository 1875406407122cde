{#- Every KPI is a column with `meta.kpi` in one of the models named by the
    `kpi_models` var. Returns a list of dicts (model, column, kpi metadata and
    description) read from the dbt graph, so adding a KPI is a SQL + YAML
    change only. Empty at parse time, when the graph is not yet complete. -#}
{% macro kpi_columns() %}
    {%- set found = [] -%}
    {%- if execute and graph.nodes is defined -%}
        {%- for model_name in var('kpi_models') -%}
            {%- for node in graph.nodes.values()
                if node.resource_type == 'model' and node.name == model_name -%}
                {%- for column in node.columns.values() -%}
                    {%- set meta = column.meta or {} -%}
                    {%- if not meta.get('kpi') and column.config is defined and column.config -%}
                        {%- set meta = column.config.get('meta', {}) or {} -%}
                    {%- endif -%}
                    {%- if meta.get('kpi') -%}
                        {%- do found.append({
                            'model': model_name,
                            'column': column.name,
                            'meta': meta['kpi'],
                            'description': column.description}) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found) }}
{% endmacro %}

{#- Every KPI column of the kpi_models as rows (agreement_id, window_key,
    month_start_date, kpi_id, metadata, actual, what the actual stands on),
    one select per KPI. A KPI whose inputs the team lacks (meta.kpi.needs,
    macros/inputs.sql) is null with its reason in every row (issue #19). -#}
{% macro kpi_actuals_unpivoted() %}
    {%- set kpis = kpi_columns() -%}
    {%- for kpi in kpis %}
    {%- set missing = missing_input_reason(kpi.meta.needs) %}
    {%- set split = kpi.meta.split or [] %}
    select
        agreement_id,
        window_key,
        month_start_date,
        '{{ kpi.column }}' as kpi_id,
        '{{ kpi.meta.title | replace("'", "''") }}' as kpi_title,
        '{{ kpi.meta.section }}' as kpi_section,
        '{{ kpi.meta.owner }}' as owner_team,
        '{{ kpi.meta.unit }}' as unit,
        '{{ kpi.meta.direction | default("higher") }}' as direction,
        '{{ kpi.meta.pacing | default("none") }}' as pacing,
        cast({{ loop.index }} as {{ dbt.type_int() }}) as kpi_order,
        '{{ kpi.model }}' as computed_by_model,
        {{ 'true' if kpi.meta.matures_on else 'false' }} as is_cohort_rate,
        {#- The cases a rate or percentile is computed over (meta.kpi.sample),
            the same count from every source (meta.kpi.all_sources) and from
            sales alone (meta.kpi.sales_sourced), whether the value is only a
            lower bound (meta.kpi.lower_bound_when names a count that makes it
            one when above zero), the reason a computed value is still no
            data (meta.kpi.no_data_reason: a column, e.g. "no lost deals
            recorded"), the day a cohort not yet matured matures
            (meta.kpi.matures_on) and the two kinds of case a rate counts
            (meta.kpi.split). #}
        {% if missing -%}
        cast(null as {{ type_double() }}) as actual,
        cast(null as {{ type_double() }}) as sample_size,
        cast(null as {{ type_double() }}) as actual_all_sources,
        cast(null as {{ type_double() }}) as actual_sales_sourced,
        false as is_lower_bound,
        {{ text_literal(missing) }} as no_data_reason,
        cast(null as date) as matures_on,
        cast(null as {{ type_double() }}) as split_first,
        cast(null as {{ type_double() }}) as split_second
        {%- else -%}
        cast({{ kpi.column }} as {{ type_double() }}) as actual,
        cast({{ kpi.meta.sample or 'null' }} as {{ type_double() }}) as sample_size,
        cast({{ kpi.meta.all_sources or 'null' }} as {{ type_double() }}) as actual_all_sources,
        cast({{ kpi.meta.sales_sourced or 'null' }} as {{ type_double() }})
            as actual_sales_sourced,
        {% if kpi.meta.lower_bound_when -%}
        coalesce({{ kpi.meta.lower_bound_when }} > 0, false)
        {%- else -%}
        false
        {%- endif %} as is_lower_bound,
        cast({{ kpi.meta.no_data_reason or 'null' }} as {{ dbt.type_string() }})
            as no_data_reason,
        cast({{ kpi.meta.matures_on or 'null' }} as date) as matures_on,
        cast({{ split[0] if split else 'null' }} as {{ type_double() }}) as split_first,
        cast({{ split[1] if split else 'null' }} as {{ type_double() }}) as split_second
        {%- endif %}
    from {{ ref(kpi.model) }}
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    {# Parse time: the graph is not complete yet; any valid shape will do. #}
    select
        cast(null as {{ dbt.type_string() }}) as agreement_id,
        cast(null as {{ dbt.type_string() }}) as window_key,
        cast(null as date) as month_start_date,
        cast(null as {{ dbt.type_string() }}) as kpi_id,
        cast(null as {{ dbt.type_string() }}) as kpi_title,
        cast(null as {{ dbt.type_string() }}) as kpi_section,
        cast(null as {{ dbt.type_string() }}) as owner_team,
        cast(null as {{ dbt.type_string() }}) as unit,
        cast(null as {{ dbt.type_string() }}) as direction,
        cast(null as {{ dbt.type_string() }}) as pacing,
        cast(0 as {{ dbt.type_int() }}) as kpi_order,
        cast(null as {{ dbt.type_string() }}) as computed_by_model,
        false as is_cohort_rate,
        cast(null as {{ type_double() }}) as actual,
        cast(null as {{ type_double() }}) as sample_size,
        cast(null as {{ type_double() }}) as actual_all_sources,
        cast(null as {{ type_double() }}) as actual_sales_sourced,
        false as is_lower_bound,
        cast(null as {{ dbt.type_string() }}) as no_data_reason,
        cast(null as date) as matures_on,
        cast(null as {{ type_double() }}) as split_first,
        cast(null as {{ type_double() }}) as split_second
    {%- endfor %}
{% endmacro %}

{#- `depends_on` comments for every KPI model, so dbt orders them first. -#}
{% macro kpi_model_dependencies() %}
    {%- for model_name in var('kpi_models') %}
-- depends_on: {{ ref(model_name) }}
    {%- endfor %}
{% endmacro %}

{#- Ids of the volume KPIs (pacing: cumulative): the ones phased by month. -#}
{% macro cumulative_kpi_ids() %}
    {%- set ids = [] -%}
    {%- for kpi in kpi_columns() if kpi.meta.pacing == 'cumulative' -%}
        {%- do ids.append(kpi.column) -%}
    {%- endfor -%}
    {{ return(ids) }}
{% endmacro %}
