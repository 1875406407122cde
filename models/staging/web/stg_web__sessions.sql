with

source as (

    select * from {{ raw_table('web', 'web_sessions') }}

),

typed as (

    select
        -- strings (an e-mail address as a channel is never shown: issue #24)
        lower({{ clean_id('channel') }}) as source_channel,

        -- numerics
        {{ parse_value('sessions', 'bigint') }} as sessions,

        -- dates (local days, as the analytics tool reports them)
        {{ parse_value('session_date', 'date') }} as session_date,

        sessions as sessions_text,
        {{ clean_text('channel') }} as channel_text,
        {{ masked_values([("channel", has_email_id(clean_text('channel')))]) }}
            as masked_values

    from source

),

checked as (

    select
        *,
        {{ is_known_channel('source_channel') }} as is_known_channel,
        {# A day and channel is the row's identity (issue #11): without it,
           or twice, the row is quarantined; a bad count is flagged. #}
        {{ quarantine_reason([
            ("session_date is null", "missing or unparseable session_date"),
            ("source_channel is null", "missing channel"),
            (is_after_as_of_date('session_date'), "after the as-of date"),
            ("row_number() over (partition by session_date, source_channel "
                ~ "order by sessions desc) > 1", "duplicate session_date and channel"),
        ]) }} as quarantine_reason
    from typed

),

flagged as (

    select
        *,
        {{ flagged_values([
            ("sessions is null", "sessions", missing_or_unparseable('sessions_text')),
            ("sessions < 0", "sessions", "'negative'"),
            ("not is_known_channel", "channel",
                unknown_value_reason('channel_text') ~ " || ' (counted as other)'"),
        ]) }} as flagged_values
    from checked

),

final as (

    select
        {{ composite_key(['session_date', 'source_channel']) }} as web_session_day_id,
        session_date,
        case when is_known_channel then source_channel else 'other' end as channel,
        case when sessions >= 0 then sessions end as sessions,
        quarantine_reason,
        flagged_values,
        masked_values
    from flagged

)

select * from final
