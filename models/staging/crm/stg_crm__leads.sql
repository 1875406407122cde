{#- Leads, typed. The e-mail and full name are deliberately not selected:
    nothing downstream needs them, so nothing private can reach the site. -#}
with

source as (

    select * from {{ raw_table('crm', 'leads') }}

),

typed as (

    select
        -- ids
        {{ clean_text('lead_id') }} as lead_id,
        {{ clean_text('owner_id') }} as owner_id,

        -- strings
        {{ clean_text('company') }} as company_name,
        lower({{ clean_text('source') }}) as source_channel,
        {{ clean_text('disqualified_reason') }} as disqualified_reason,

        -- timestamps (UTC)
        {{ parse_utc_timestamp('created_at') }} as created_at,
        {{ parse_utc_timestamp('mql_at') }} as mql_at,
        {{ parse_utc_timestamp('sal_at') }} as sal_at,
        {{ parse_utc_timestamp('sql_at') }} as sql_at,
        {{ parse_utc_timestamp('disqualified_at') }} as disqualified_at,

        -- raw text, kept only to tell "empty" from "unparseable"
        created_at as created_at_text,
        mql_at as mql_at_text,
        sal_at as sal_at_text,
        sql_at as sql_at_text,
        disqualified_at as disqualified_at_text

    from source

),

checked as (

    select
        *,
        {# An unknown channel is kept and bucketed as 'other' (see below);
           only rows we cannot place in time or identify are rejected. #}
        {{ rejection_reason([
            ("lead_id is null", "missing lead_id"),
            ("created_at is null and " ~ clean_text('created_at_text') ~ " is null",
                "missing created_at"),
            ("created_at is null", "unparseable created_at"),
            (is_unparseable('mql_at_text', 'mql_at'), "unparseable mql_at"),
            (is_unparseable('sal_at_text', 'sal_at'), "unparseable sal_at"),
            (is_unparseable('sql_at_text', 'sql_at'), "unparseable sql_at"),
            (is_unparseable('disqualified_at_text', 'disqualified_at'),
                "unparseable disqualified_at"),
            ("mql_at < created_at", "mql_at before created_at"),
            (is_after_as_of('created_at'), "created after the as-of date"),
            ("row_number() over (partition by lead_id order by created_at) > 1",
                "duplicate lead_id"),
        ]) }} as rejection_reason
    from typed

),

final as (

    select
        lead_id,
        owner_id,
        company_name,
        case
            when source_channel in (
                'organic_search', 'paid_search', 'social', 'email',
                'referral', 'direct', 'events', 'other'
            ) then source_channel
            else 'other'
        end as channel,
        disqualified_reason,
        created_at,
        mql_at,
        sal_at,
        sql_at,
        disqualified_at,
        rejection_reason
    from checked

)

select * from final
