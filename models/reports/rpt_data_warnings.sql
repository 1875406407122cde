{#- Input that is used but looks wrong, or that the build could not use,
    listed on Data quality and printed by the build, so nothing is dropped
    silently:
    - month rows in sla_targets that cannot be phased (no period target, a
      rate or duration, a month outside the period): they are ignored;
    - new-business revenue lines on an opportunity that is not won: they are
      counted (revenue is by booking date, whatever the stage). Issue #19:
      one plain sentence naming each line and its opportunity by id (never
      lead data), so someone can correct the CRM; one row, printed once.
      Issue #23: the first few lines by id, then how many more (at 1M leads
      the sentence named 180 lines on one line). -#}
{%- set cumulative = cumulative_kpi_ids() %}
{%- set lines_named = 5 %}
with

month_targets as (

    select * from {{ ref('stg_sla__targets') }}
    where month_start_date is not null

),

targets as (

    select * from {{ ref('fct_kpi_targets') }}

),

months as (

    select * from {{ ref('int_agreement_months') }}

),

revenue as (

    select * from {{ ref('int_revenue_validated') }}
    where quarantine_reason is null
        and revenue_type = 'new_business'
        and opportunity_stage is not null
        and opportunity_stage <> 'closed_won'

),

ignored_month_targets as (

    select
        'ignored month target' as warning_type,
        'sla_targets' as table_name,
        {{ dbt.concat(["month_targets.agreement_id", "' '", "month_targets.kpi_id", "' '",
            "cast(month_targets.month_start_date as " ~ dbt.type_string() ~ ")"]) }}
            as subject,
        case
            when months.month_start_date is null then 'the month is not in the agreement period'
            when targets.kpi_id is null then 'the KPI has no period target to phase'
            {% if cumulative %}
            when month_targets.kpi_id not in ('{{ cumulative | join("', '") }}') -- noqa: LT05
            {% else %}
            when true
            {% endif %}
                then 'not a volume: rates and durations keep their period target every month'
        end as detail,
        cast(1 as {{ dbt.type_bigint() }}) as row_count,
        cast(null as {{ type_double() }}) as amount
    from month_targets
    left join targets
        on month_targets.agreement_id = targets.agreement_id
        and month_targets.kpi_id = targets.kpi_id
    left join months
        on month_targets.agreement_id = months.agreement_id
        and month_targets.month_start_date = months.month_start_date

),

revenue_lines_numbered as (

    select
        *,
        row_number() over (order by revenue_id) as line_order
    from revenue

),

revenue_lines_listed as (

    {# The text sort of the ids names the same first lines as the row order. #}
    select
        count(*) as row_count,
        cast(sum(amount) as {{ type_double() }}) as amount,
        {{ sorted_text_agg("case when line_order <= " ~ lines_named ~ " then "
            ~ dbt.concat(["revenue_id", "' (opportunity '", "opportunity_id",
            "', '", "replace(opportunity_stage, '_', ' ')", "')'"]) ~ " end", ', ') }}
            as line_list
    from revenue_lines_numbered

),

revenue_on_unwon_opportunities as (

    select
        'revenue on an opportunity not won' as warning_type,
        'revenue' as table_name,
        'new-business revenue lines' as subject,
        {{ dbt.concat([
            "case when row_count = 1 then 'Revenue line ' else 'Revenue lines ' end",
            "line_list",
            "case when row_count > " ~ lines_named ~ " then "
            ~ dbt.concat(["' and '", "cast(row_count - " ~ lines_named ~ " as "
                ~ dbt.type_string() ~ ")", "' more'"]) ~ " else '' end",
            "case when row_count = 1 then ' is' else ' are' end",
            "' counted in new-business revenue by booking date, but '",
            "case when row_count = 1 then 'its opportunity is' else 'their opportunities are'"
            ~ " end",
            "' not won: correct the opportunity stage in the CRM, or the revenue line.'",
        ]) }} as detail,
        row_count,
        amount
    from revenue_lines_listed
    where row_count > 0

),

unioned as (

    select * from ignored_month_targets
    where detail is not null

    union all

    select * from revenue_on_unwon_opportunities

),

final as (

    select
        {{ composite_key(['warning_type', 'subject']) }} as warning_id,
        warning_type,
        table_name,
        subject,
        detail,
        row_count,
        amount
    from unioned

)

select * from final
