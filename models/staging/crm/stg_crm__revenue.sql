with

source as (

    select * from {{ raw_table('crm', 'revenue') }}

),

typed as (

    select
        -- ids
        {{ clean_text('revenue_id') }} as revenue_id,
        {{ clean_text('opportunity_id') }} as opportunity_id,

        -- strings
        lower({{ clean_text('revenue_type') }}) as revenue_type,

        -- numerics
        {{ parse_value('amount', dbt.type_numeric()) }} as amount,

        -- dates (already local: a booking date has no time of day)
        {{ parse_value('booked_on', 'date') }} as booked_date,

        amount as amount_text

    from source

),

checked as (

    select
        *,
        {{ rejection_reason([
            ("revenue_id is null", "missing revenue_id"),
            ("booked_date is null", "missing or unparseable booked_on"),
            ("amount is null", "missing or unparseable amount"),
            ("amount < 0", "negative amount"),
            ("amount > " ~ var('max_plausible_amount'), "implausibly large amount"),
            (is_after_as_of_date('booked_date'), "booked after the as-of date"),
            ("revenue_type is null or revenue_type not in "
                ~ "('new_business', 'expansion', 'renewal')", "unknown revenue_type"),
            ("row_number() over (partition by revenue_id order by booked_date) > 1",
                "duplicate revenue_id"),
        ]) }} as rejection_reason
    from typed

),

final as (

    select
        revenue_id,
        opportunity_id,
        revenue_type,
        amount,
        booked_date,
        rejection_reason
    from checked

)

select * from final
