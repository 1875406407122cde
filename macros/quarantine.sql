{#- The first failed check, as a reason; null when the row is usable.
    `checks` is a list of (condition that means "bad", reason) pairs, in
    order of precedence. Every raw row is either used or carries a reason,
    and the Data quality page counts them (rows read = used + rejected). -#}
{% macro rejection_reason(checks) -%}
    case
    {%- for condition, reason in checks %}
        when {{ condition }} then '{{ reason }}'
    {%- endfor %}
    end
{%- endmacro %}

{#- Boolean text ('true'/'false', 't'/'f', '1'/'0', 'yes'/'no') -> boolean. -#}
{% macro parse_boolean(expression) -%}
    case lower({{ clean_text(expression) }})
        when 'true' then true when 't' then true when '1' then true when 'yes' then true
        when 'false' then false when 'f' then false when '0' then false when 'no' then false
    end
{%- endmacro %}

{#- 'HH:MM' -> minutes after midnight. -#}
{% macro hhmm_to_minutes(expression) -%}
    (cast({{ dbt.split_part(expression, "':'", 1) }} as integer) * 60
        + cast({{ dbt.split_part(expression, "':'", 2) }} as integer))
{%- endmacro %}

{#- A UTC timestamp after the as-of day in every time zone (the as-of day
    ends at the latest at as_of + 1 day 12:00 UTC, in UTC-12). Such rows are
    quarantined: a build only ever sees data up to its as-of date. -#}
{% macro is_after_as_of(utc_timestamp) -%}
    ({{ utc_timestamp }} >= {{ dbt.dateadd('hour', 36,
        "cast('" ~ var('as_of') ~ "' as " ~ dbt.type_timestamp() ~ ")") }})
{%- endmacro %}

{% macro is_after_as_of_date(local_date) -%}
    ({{ local_date }} > cast('{{ var("as_of") }}' as date))
{%- endmacro %}
