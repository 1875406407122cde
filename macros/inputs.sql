{#- Honest "no data" in the models (issue #19, was generator/availability.py).

    Which inputs the team lacks reaches dbt as the `missing_inputs` var,
    input -> why: the CLI fills it from crm_source.yml (`unavailable:`) and
    from raw files with no rows (generator/config.py); on a warehouse pass it
    yourself (--vars). An input is a contract table (lead_activities,
    opportunities, revenue, web_sessions) or a contract column
    (leads.sql_at, leads.sal_at, leads.disqualified_at,
    opportunities.proposal_sent_at).

    Each KPI names the inputs its figure needs in `meta.kpi.needs`; an entry
    that is itself a list is satisfied by any one of its inputs. A KPI whose
    needs are not met is null with status no_data and the reason
    ("needs lead activities") in every report model. -#}

{#- The phrase a reason uses for each input ("needs lead activities"); the
    site translates each phrase (generator/render.py NEEDS). -#}
{% macro input_nouns() %}
    {{ return({
        'leads': 'leads',
        'lead_activities': 'lead activities',
        'opportunities': 'opportunities',
        'revenue': 'a revenue ledger',
        'web_sessions': 'web sessions',
        'reps': 'the team list',
        'leads.sql_at': 'SQL dates',
        'leads.sal_at': 'acceptance dates',
        'leads.disqualified_at': 'disqualification dates',
        'opportunities.proposal_sent_at': 'proposal dates',
    }) }}
{% endmacro %}

{#- Whether an input is missing (a var entry, or its table's for a column). -#}
{% macro input_is_missing(name) %}
    {%- set missing = var('missing_inputs', {}) -%}
    {{ return(name in missing or name.split('.')[0] in missing) }}
{% endmacro %}

{#- The reason a list of needs is not met, as English text, or none. -#}
{% macro missing_input_reason(needs) %}
    {%- set nouns = input_nouns() -%}
    {%- set unmet = [] -%}
    {%- for need in needs or [] -%}
        {%- set options = [need] if need is string else need -%}
        {%- set available = [] -%}
        {%- for option in options if not input_is_missing(option) -%}
            {%- do available.append(option) -%}
        {%- endfor -%}
        {%- if not available -%}
            {%- set words = [] -%}
            {%- for option in options -%}
                {%- do words.append(nouns.get(option, option)) -%}
            {%- endfor -%}
            {%- if words | length > 1 -%}
                {%- do unmet.append(words[:-1] | join(', ') ~ ' or ' ~ words[-1]) -%}
            {%- else -%}
                {%- do unmet.append(words[0]) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('needs ' ~ (unmet | join(' and ')) if unmet else none) }}
{% endmacro %}

{#- The reason a KPI (by id) has no data for want of an input, or none. -#}
{% macro kpi_missing_reason(kpi_id) %}
    {%- for kpi in kpi_columns() if kpi.column == kpi_id -%}
        {{ return(missing_input_reason(kpi.meta.needs)) }}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}

{#- A measurement of a KPI in a report model other than the scorecard (a
    week, a channel, a rep): the expression, or a typed null when the KPI
    has no data for want of an input. -#}
{% macro measured_for(kpi_id, expression, data_type=none) -%}
    {%- if kpi_missing_reason(kpi_id) -%}
        cast(null as {{ data_type or type_double() }})
    {%- else -%}
        {{ expression }}
    {%- endif -%}
{%- endmacro %}

{#- A text literal, or null. Quotes are doubled; Spark reads '' inside a
    literal as two literals side by side, so it escapes them (and
    backslashes) with a backslash. -#}
{% macro text_literal(value) -%}
    {%- if value is none -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        {{ adapter.dispatch('text_literal_of')(value | string) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__text_literal_of(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__text_literal_of(text) -%}
    '{{ text | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
