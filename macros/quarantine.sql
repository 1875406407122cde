{#- The first failed check, as a reason; null when the row is usable.
    `checks` is a list of (condition that means "bad", reason) pairs, in
    order of precedence. Every raw row is either used or carries a reason,
    and the Data quality page counts them (rows read = used + rejected). -#}
{% macro quarantine_reason(checks) -%}
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

{#- Bad values in a usable row: each (condition that means "bad", column,
    reason) that holds adds "column: reason" to one text, the checks joined
    by the record separator chr(30). The value itself is nulled by the model;
    the row and its children stay (issue #11: quarantine the value, not the
    lead). fct_flagged_values splits the text into one row per flag. -#}
{% macro flagged_values(checks) -%}
    nullif(concat_ws(chr(30)
    {%- for condition, column, reason in checks %},
        case when {{ condition }} then '{{ column }}: ' || {{ reason }} end
    {%- endfor %}
    ), '')
{%- endmacro %}

{#- The flag reason for a category value outside the contract, with the
    value itself (shortened, control characters out) so the Data quality
    page can count each unknown value. A shifted column can put a lead's
    e-mail address or phone number here: masked (issue #24). -#}
{% macro unknown_value_reason(expression) -%}
    'unknown value ''' || left(replace({{ mask_private_text(expression) }}, chr(30), ' '), 40)
        || ''''
{%- endmacro %}

{#- The reason for a value that is present but does not parse, or missing. -#}
{% macro missing_or_unparseable(text_expression) -%}
    case when {{ clean_text(text_expression) }} is null then 'missing' else 'unparseable' end
{%- endmacro %}

{#- Issue #23: the duplicate check without ranking every row. A
    row_number() over all of a 10M-row table sorted every row with all its
    columns, most of a staging model's time and memory; only an id that
    occurs more than once needs a rank. repeated_ids finds those ids from the
    id column alone (one row each); rows_ranked_by_id gives every raw row an
    id_rank, its place among the rows of its id by `order_by` (the same
    row_number() as before, over just those ids' rows, so the same row wins),
    1 for an id that occurs once. `id` and `order_by` are expressions over
    the raw columns (the model's own clean_id/parse macros), so the rank is
    the typed row's. -#}
{% macro repeated_ids(relation, id) -%}
    select id_value as repeated_id
    from (
        select
            id_value,
            {# Spark needs an order for row_number(); any will do here. The
               window reads a column: over the id expression itself, DuckDB
               took three times as long. #}
            row_number() over (partition by id_value order by id_value) as copy_number
        from (
            select {{ id }} as id_value
            from {{ relation }} as source_rows
        ) as ids
        where id_value is not null
    ) as numbered
    where copy_number = 2
{%- endmacro %}

{% macro rows_ranked_by_id(relation, repeated_ids, id, order_by) -%}
    select source_rows.*, 1 as id_rank
    from {{ relation }} as source_rows
    left join {{ repeated_ids }} as repeated
        on {{ id }} = repeated.repeated_id
    where repeated.repeated_id is null

    union all

    select
        source_rows.*,
        row_number() over (partition by {{ id }} order by {{ order_by }}) as id_rank
    from {{ relation }} as source_rows
    inner join {{ repeated_ids }} as repeated
        on {{ id }} = repeated.repeated_id
{%- endmacro %}
