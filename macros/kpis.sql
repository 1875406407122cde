{#- Every KPI is a column with `meta.kpi` in one of the models named by the
    `kpi_models` var. Returns a list of dicts (model, column, kpi metadata and
    description) read from the dbt graph, so adding a KPI is a SQL + YAML
    change only. Empty at parse time, when the graph is not yet complete. -#}
{% macro kpi_columns() %}
    {%- set found = [] -%}
    {%- if execute -%}
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
