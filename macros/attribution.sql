{#- Which opportunities marketing sourced (issue #19). The rule is the
    `attribution` var, set in crm_source.yml (`attribution:`) and stated on
    the KPI definitions page:
    - mql_before_opportunity (the default): the opportunity's lead had
      become an MQL at or before the opportunity was created. An SDR's own
      prospect that never became an MQL, or an MQL that came after the deal,
      is sales-sourced. On HubSpot the lead is the deal's contact that
      qualifies (base_hubspot__opportunities picks it);
    - original_source: the lead's channel is one of `channels`;
    - any_lead: the opportunity has a lead at all (the rule before #19: reps
      attach a lead or contact to nearly every deal, so it drifts toward
      100%). -#}
{% macro attribution() %}
    {%- set given = var('attribution', {}) or {} -%}
    {%- if given is string -%}
        {%- set given = {'rule': given} -%}
    {%- endif -%}
    {%- set rule = given.get('rule') or 'mql_before_opportunity' -%}
    {%- if rule not in ('mql_before_opportunity', 'original_source', 'any_lead') -%}
        {{ exceptions.raise_compiler_error("the attribution var's rule must be "
            ~ "mql_before_opportunity, original_source or any_lead, not " ~ rule) }}
    {%- endif -%}
    {{ return({'rule': rule, 'channels': given.get('channels') or []}) }}
{% endmacro %}

{#- Whether an opportunity is marketing-sourced under the rule in force,
    from its lead's columns (null when it has no known lead). -#}
{% macro is_marketing_sourced(lead_id, lead_mql_at, lead_channel, opportunity_created_at) -%}
    {%- set chosen = attribution() -%}
    coalesce(
    {%- if chosen.rule == 'any_lead' %}
        {{ lead_id }} is not null
    {%- elif chosen.rule == 'original_source' %}
        {{ lead_id }} is not null and {{ lead_channel }} in {{ text_list(chosen.channels) }}
    {%- else %}
        {{ lead_mql_at }} <= {{ opportunity_created_at }}
    {%- endif %}, false)
{%- endmacro %}
