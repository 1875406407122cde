with

source as (

    select * from {{ raw_table('crm', 'lead_activities') }}

),

typed as (

    select
        -- ids
        {{ clean_text('activity_id') }} as activity_id,
        {{ clean_text('lead_id') }} as lead_id,
        {{ clean_text('rep_id') }} as rep_id,

        -- strings
        lower({{ clean_text('activity_type') }}) as activity_type,

        -- booleans
        {{ parse_boolean('is_automated') }} as is_automated,

        -- timestamps (UTC)
        {{ parse_utc_timestamp('occurred_at') }} as occurred_at,

        is_automated as is_automated_text

    from source

),

checked as (

    select
        *,
        {{ rejection_reason([
            ("activity_id is null", "missing activity_id"),
            ("lead_id is null", "missing lead_id"),
            ("occurred_at is null", "missing or unparseable occurred_at"),
            ("activity_type is null or activity_type not in "
                ~ "('call', 'email', 'meeting', 'social')", "unknown activity_type"),
            (is_unparseable('is_automated_text', 'is_automated'), "unparseable is_automated"),
            (is_after_as_of('occurred_at'), "after the as-of date"),
            ("row_number() over (partition by activity_id order by occurred_at) > 1",
                "duplicate activity_id"),
        ]) }} as rejection_reason
    from typed

),

final as (

    select
        activity_id,
        lead_id,
        rep_id,
        activity_type,
        {# An empty flag means a person did it: automation is always flagged. #}
        coalesce(is_automated, false) as is_automated,
        occurred_at,
        rejection_reason
    from checked

)

select * from final
