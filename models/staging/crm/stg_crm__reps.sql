with

source as (

    select * from {{ raw_table('crm', 'reps') }}

),

typed as (

    select
        -- ids
        {{ clean_text('rep_id') }} as rep_id,

        -- strings (team members' names are shown; leads' names never are)
        {{ clean_text('rep_name') }} as rep_name,
        lower({{ clean_text('team') }}) as team,

        -- dates
        {{ parse_value('started_on', 'date') }} as started_date,
        {{ parse_value('ended_on', 'date') }} as ended_date,

        ended_on as ended_on_text

    from source

),

checked as (

    select
        *,
        {{ rejection_reason([
            ("rep_id is null", "missing rep_id"),
            ("team is null or team not in ('sales', 'marketing')", "unknown team"),
            ("started_date is null", "missing or unparseable started_on"),
            (is_unparseable('ended_on_text', 'ended_date'), "unparseable ended_on"),
            ("row_number() over (partition by rep_id order by started_date) > 1",
                "duplicate rep_id"),
        ]) }} as rejection_reason
    from typed

),

final as (

    select
        rep_id,
        coalesce(rep_name, rep_id) as rep_name,
        team,
        started_date,
        ended_date,
        rejection_reason
    from checked

)

select * from final
