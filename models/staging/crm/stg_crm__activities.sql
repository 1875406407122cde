{% set known_types = "('call', 'email', 'meeting', 'social')" %}

with

repeated_ids as (

    {{ repeated_ids(raw_table('crm', 'lead_activities'), clean_id('activity_id')) }}

),

source as (

    {{ rows_ranked_by_id(raw_table('crm', 'lead_activities'), 'repeated_ids',
        clean_id('activity_id'), parse_utc_timestamp('occurred_at')) }}

),

typed as (

    select
        -- ids
        {{ clean_id('activity_id') }} as activity_id,
        {{ clean_id('lead_id') }} as lead_id,
        {{ clean_id('rep_id') }} as rep_id,

        -- strings
        lower({{ clean_text('activity_type') }}) as activity_type,

        -- booleans
        {{ parse_boolean('is_automated') }} as is_automated,

        -- timestamps (UTC)
        {{ parse_utc_timestamp('occurred_at') }} as occurred_at,

        is_automated as is_automated_text,
        occurred_at as occurred_at_text,
        {{ clean_text('activity_type') }} as activity_type_text,
        id_rank,

        {# Issue #23: a known activity type holds nothing private; the two
           patterns over 10M rows of them cost a second. #}
        {{ masked_values([
            ("activity_id", has_email_id(clean_text('activity_id'))),
            ("lead_id", has_email_id(clean_text('lead_id'))),
            ("rep_id", has_email_id(clean_text('rep_id'))),
            ("activity_type", "case when lower(" ~ clean_text('activity_type') ~ ") in "
                ~ known_types ~ " then false else "
                ~ has_private_text(clean_text('activity_type')) ~ " end"),
        ]) }} as masked_values

    from source

),

checked as (

    select
        *,
        activity_type in {{ known_types }} as is_known_type,
        {# Only a missing or duplicate id, or an activity with no lead to
           belong to, loses the row (issue #11); bad values are flagged. #}
        {{ quarantine_reason([
            ("activity_id is null", "missing activity_id"),
            ("lead_id is null", "missing lead_id"),
            (is_after_as_of('occurred_at'), "after the as-of date"),
            ("id_rank > 1", "duplicate activity_id"),
        ]) }} as quarantine_reason
    from typed

),

flagged as (

    select
        *,
        {{ flagged_values([
            ("occurred_at is null", "occurred_at",
                missing_or_unparseable('occurred_at_text')),
            ("activity_type is null", "activity_type", "'missing'"),
            ("not is_known_type", "activity_type", unknown_value_reason('activity_type_text')),
            (is_unparseable('is_automated_text', 'is_automated'), "is_automated",
                "'unparseable (counted as a person)'"),
        ]) }} as flagged_values
    from checked

),

final as (

    select
        activity_id,
        lead_id,
        rep_id,
        case when is_known_type then activity_type end as activity_type,
        {# An empty flag means a person did it: automation is always flagged. #}
        coalesce(is_automated, false) as is_automated,
        occurred_at,
        quarantine_reason,
        flagged_values,
        masked_values
    from flagged

)

select * from final
