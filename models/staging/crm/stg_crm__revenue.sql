with

source as (

    select * from {{ raw_table('crm', 'revenue') }}

),

typed as (

    select
        -- ids
        {{ clean_id('revenue_id') }} as revenue_id,
        {{ clean_id('opportunity_id') }} as opportunity_id,

        -- strings
        lower({{ clean_text('revenue_type') }}) as revenue_type,

        -- numerics
        {{ parse_value('amount', dbt.type_numeric()) }} as amount,

        -- dates (already local: a booking date has no time of day)
        {{ parse_value('booked_on', 'date') }} as booked_date,

        amount as amount_text,
        booked_on as booked_on_text,
        {{ clean_text('revenue_type') }} as revenue_type_text,

        {{ masked_values([
            ("revenue_id", has_email_id(clean_text('revenue_id'))),
            ("opportunity_id", has_email_id(clean_text('opportunity_id'))),
            ("revenue_type", has_private_text(clean_text('revenue_type'))),
        ]) }} as masked_values

    from source

),

checked as (

    select
        *,
        revenue_type in ('new_business', 'expansion', 'renewal') as is_known_type,
        (amount < 0 or amount > {{ var('max_plausible_amount') }}) as is_bad_amount,
        {# A line without an id, a duplicate or a future booking is not used
           (issue #11); bad values are flagged. An empty opportunity_id is a
           line on no deal (self-serve): valid, not marketing-sourced. #}
        {{ quarantine_reason([
            ("revenue_id is null", "missing revenue_id"),
            (is_after_as_of_date('booked_date'), "booked after the as-of date"),
            ("row_number() over (partition by revenue_id order by booked_date) > 1",
                "duplicate revenue_id"),
        ]) }} as quarantine_reason
    from typed

),

flagged as (

    select
        *,
        {{ flagged_values([
            ("booked_date is null", "booked_on", missing_or_unparseable('booked_on_text')),
            ("amount is null", "amount", missing_or_unparseable('amount_text')),
            ("amount < 0", "amount", "'negative'"),
            ("amount > " ~ var('max_plausible_amount'), "amount",
                "'implausibly large (over the max_plausible_amount var)'"),
            ("revenue_type is null", "revenue_type", "'missing'"),
            ("not is_known_type", "revenue_type", unknown_value_reason('revenue_type_text')),
        ]) }} as flagged_values
    from checked

),

final as (

    select
        revenue_id,
        opportunity_id,
        case when is_known_type then revenue_type end as revenue_type,
        case when coalesce(is_bad_amount, false) then null else amount end as amount,
        booked_date,
        quarantine_reason,
        flagged_values,
        masked_values
    from flagged

)

select * from final
