with

source as (

    select * from {{ raw_table('crm', 'reps') }}

),

typed as (

    select
        -- ids
        {{ clean_id('rep_id') }} as rep_id,

        -- strings (team members' names are shown; leads' names never are)
        {{ mask_private_text(clean_text('rep_name')) }} as rep_name,
        lower({{ clean_text('team') }}) as team,

        -- dates
        {{ parse_value('started_on', 'date') }} as started_date,
        {{ parse_value('ended_on', 'date') }} as ended_date,

        ended_on as ended_on_text,
        started_on as started_on_text,
        {{ clean_text('team') }} as team_text,

        {{ masked_values([
            ("rep_id", has_email_id(clean_text('rep_id'))),
            ("rep_name", has_private_text(clean_text('rep_name'))),
            ("team", has_private_text(clean_text('team'))),
        ]) }} as masked_values

    from source

),

checked as (

    select
        *,
        team in ('sales', 'marketing') as is_known_team,
        {{ quarantine_reason([
            ("rep_id is null", "missing rep_id"),
            ("row_number() over (partition by rep_id order by started_date) > 1",
                "duplicate rep_id"),
        ]) }} as quarantine_reason
    from typed

),

flagged as (

    select
        *,
        {{ flagged_values([
            ("team is null", "team", "'missing'"),
            ("not is_known_team", "team", unknown_value_reason('team_text')),
            ("started_date is null", "started_on", missing_or_unparseable('started_on_text')),
            (is_unparseable('ended_on_text', 'ended_date'), "ended_on", "'unparseable'"),
        ]) }} as flagged_values
    from checked

),

final as (

    select
        rep_id,
        coalesce(rep_name, rep_id) as rep_name,
        case when is_known_team then team end as team,
        started_date,
        ended_date,
        quarantine_reason,
        flagged_values,
        masked_values
    from flagged

)

select * from final
