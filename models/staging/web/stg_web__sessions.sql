with

source as (

    select * from {{ raw_table('web', 'web_sessions') }}

),

typed as (

    select
        -- strings
        lower({{ clean_text('channel') }}) as source_channel,

        -- numerics
        {{ parse_value('sessions', 'bigint') }} as sessions,

        -- dates (local days, as the analytics tool reports them)
        {{ parse_value('session_date', 'date') }} as session_date

    from source

),

checked as (

    select
        *,
        {{ rejection_reason([
            ("session_date is null", "missing or unparseable session_date"),
            ("source_channel is null", "missing channel"),
            ("sessions is null", "missing or unparseable sessions"),
            ("sessions < 0", "negative sessions"),
            (is_after_as_of_date('session_date'), "after the as-of date"),
            ("row_number() over (partition by session_date, source_channel "
                ~ "order by sessions desc) > 1", "duplicate session_date and channel"),
        ]) }} as rejection_reason
    from typed

),

final as (

    select
        {{ composite_key(['session_date', 'source_channel']) }} as web_session_day_id,
        session_date,
        case
            when source_channel in (
                'organic_search', 'paid_search', 'social', 'email',
                'referral', 'direct', 'events', 'other'
            ) then source_channel
            else 'other'
        end as channel,
        sessions,
        rejection_reason
    from checked

)

select * from final
