{#- Issue #24: private details typed where they do not belong. A lead's
    e-mail address in its company name, a phone number in an account name,
    "j.doe@example.com went dark" as a lost reason: the free-text columns
    that reach the site are masked here, in staging, so no report model, page,
    summary or build line can carry them, and each masked value is counted
    (fct_masked_values, shown on Data quality).

    Phone numbers: nine to fifteen digits, with spaces, dots, dashes or
    brackets between them and an optional leading +. Shorter digit runs
    (years, amounts, "2014-2015") stay. Ids are not checked for phone
    numbers: CRM record ids are often long numbers. -#}
{% macro email_pattern() -%}
    [A-Za-z0-9._%+-]+@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)*[.][A-Za-z]{2,}
{%- endmacro %}

{% macro phone_pattern() -%}
    [+]?[(]?[0-9]([ ().-]{0,2}[0-9]){8,14}
{%- endmacro %}

{#- Free text with every e-mail address and phone number replaced. -#}
{% macro mask_private_text(expression) -%}
    {{ regex_replace_all(
        regex_replace_all(expression, email_pattern(), '[e-mail]'),
        phone_pattern(), '[phone]') }}
{%- endmacro %}

{% macro has_private_text(expression) -%}
    ({{ regex_contains(expression, email_pattern()) }}
        or {{ regex_contains(expression, phone_pattern()) }})
{%- endmacro %}

{#- An id that holds an e-mail address (a CRM exported with owners or leads
    keyed by address) becomes a stable pseudonym: the same address gives the
    same id in every table, so joins hold, and the address is never shown. -#}
{% macro clean_id(column) -%}
    {%- set cleaned = clean_text(column) -%}
    case
        when {{ has_email_id(cleaned) }}
            then 'private-' || left(md5({{ cleaned }}), 12)
        else {{ cleaned }}
    end
{%- endmacro %}

{% macro has_email_id(expression) -%}
    ({{ expression }} like '%@%')
{%- endmacro %}

{#- The columns of a row whose value was masked, joined by chr(30) like
    flagged_values: `columns` is a list of (column name, condition that means
    "it held a private detail"). fct_masked_values splits them. -#}
{% macro masked_values(columns) -%}
    nullif(concat_ws(chr(30)
    {%- for column, condition in columns %},
        case when {{ condition }} then '{{ column }}' end
    {%- endfor %}
    ), '')
{%- endmacro %}
