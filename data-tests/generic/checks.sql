{#- Issue #23: every column check of one model (or seed) as ONE dbt data test.

    dbt spends ~40 ms of Python on each node whatever its SQL does, and a
    build ran ~250 one-column tests. This test evaluates all of a model's
    checks, with the same semantics as dbt's built-in tests, in one query
    (one scan for the column checks, one join per relationship, one filter
    per expression) and returns one row per FAILING check: its name and how
    many rows fail it. No row: every check passed.

    In the model's YAML (docs/development.md, "Data tests"):

        data_tests:
          - checks:
              arguments:
                checks:
                  - {unique: activity_id, where: quarantine_reason is null}
                  - {not_null: activity_id}
                  - {accepted_values: activity_type, values: [call, email]}
                  - {accepted_values: channel, values: "{{ var('acquisition_channels') }}"}
                  - {relationships: lead_id, to: ref('stg_crm__leads'), field: lead_id}
                  - {expression_is_true: "rows_read = rows_used + rows_rejected"}
                  - {expression_is_true: "target >= 0", name: targets_are_not_negative}

    - not_null: rows where the column is null.
    - unique: rows beyond the first of each repeated non-null value.
    - accepted_values: rows whose non-null value is not in `values`.
    - relationships: rows whose non-null value is not a `field` of `to`.
    - expression_is_true: rows where the expression is false.
    `where` (any check) keeps only the rows it holds for, as dbt's `where`
    config does; `name` replaces the check's generated name. The names,
    e.g. `not_null(activity_id) where quarantine_reason is null` or
    `relationships(lead_id -> stg_crm__leads.lead_id)`, are what a failed
    build prints and the data-quality page lists; generator/dbt/checks.py
    makes the same names from the YAML.

    The failing checks are stored (store_failures) so that the CLI can name
    them after dbt has finished (dbt itself reports only "Got N results").
    A table on DuckDB: staging and intermediate models live in another
    database file (`scratch`, profiles.yml), which is not attached when the
    runner reads the report's file, so a view over them could not be read. A view elsewhere: free to create, and read (run
    again) only when the test failed. -#}
{% test checks(model, checks) %}
{{ config(
    store_failures=true,
    store_failures_as=('table' if target.type == 'duckdb' else 'view')) }}
{%- if not checks -%}
    {{ exceptions.raise_compiler_error('checks: the list of checks is empty') }}
{%- endif -%}
{%- set column_checks = [] -%}
{%- set query_checks = [] -%}
{%- for check in checks -%}
    {%- if 'relationships' in check or 'expression_is_true' in check -%}
        {%- do query_checks.append(check) -%}
    {%- else -%}
        {%- do column_checks.append(check) -%}
    {%- endif -%}
{%- endfor %}
with
{%- if column_checks %}
column_checks as (
    select
    {%- for check in column_checks %}
        {{ check_failing_rows(check) }} as check_{{ loop.index }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
    from {{ model }}
),
{%- endif %}
results as (
{%- for check in column_checks %}
    select {{ text_literal(check_name(check)) }} as check_name,
        coalesce(check_{{ loop.index }}, 0) as failing_rows
    from column_checks
    {%- if query_checks or not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
{%- for check in query_checks %}
    select {{ text_literal(check_name(check)) }} as check_name,
        {{ check_failing_rows_query(model, check) }} as failing_rows
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
)
select check_name, failing_rows
from results
where failing_rows > 0
{% endtest %}
