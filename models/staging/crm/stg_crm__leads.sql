{#- Leads, typed. The e-mail and full name are deliberately not selected:
    nothing downstream needs them, so nothing private can reach the site.

    Issue #11: a lead is quarantined only when its identity is broken
    (missing or duplicate lead_id) or it was created after the as-of day. A
    bad value in another column (a US-style mql_at, an unknown channel) is
    nulled or bucketed and flagged; the lead and its activities,
    opportunities and revenue stay. -#}
with

repeated_ids as (

    {{ repeated_ids(raw_table('crm', 'leads'), clean_id('lead_id')) }}

),

source as (

    {{ rows_ranked_by_id(raw_table('crm', 'leads'), 'repeated_ids', clean_id('lead_id'),
        parse_utc_timestamp('created_at')) }}

),

typed as (

    select
        -- ids
        {{ clean_id('lead_id') }} as lead_id,
        {{ clean_id('owner_id') }} as owner_id,

        -- strings (free text masked: issue #24, macros/privacy.sql)
        {{ mask_private_text(clean_text('company')) }} as company_name,
        lower({{ clean_text('source') }}) as source_channel,
        {{ clean_text('source') }} as source_text,
        {{ mask_private_text(clean_text('disqualified_reason')) }} as disqualified_reason,

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
        disqualified_at as disqualified_at_text,
        id_rank,

        {{ masked_values([
            ("lead_id", has_email_id(clean_text('lead_id'))),
            ("owner_id", has_email_id(clean_text('owner_id'))),
            ("company", has_private_text(clean_text('company'))),
            ("source", has_private_text(clean_text('source'))),
            ("disqualified_reason", has_private_text(clean_text('disqualified_reason'))),
        ]) }} as masked_values

    from source

),

checked as (

    select
        *,
        {{ is_known_channel('source_channel') }} as is_known_channel,
        {# An MQL cannot precede the lead: the stage date is the wrong one. #}
        coalesce(mql_at < created_at, false) as is_mql_before_created,
        {{ quarantine_reason([
            ("lead_id is null", "missing lead_id"),
            (is_after_as_of('created_at'), "created after the as-of date"),
            ("id_rank > 1", "duplicate lead_id"),
        ]) }} as quarantine_reason
    from typed

),

flagged as (

    select
        *,
        {{ flagged_values([
            ("created_at is null", "created_at",
                missing_or_unparseable('created_at_text')),
            (is_unparseable('mql_at_text', 'mql_at'), "mql_at", "'unparseable'"),
            ("is_mql_before_created", "mql_at", "'before created_at'"),
            (is_unparseable('sal_at_text', 'sal_at'), "sal_at", "'unparseable'"),
            (is_unparseable('sql_at_text', 'sql_at'), "sql_at", "'unparseable'"),
            (is_unparseable('disqualified_at_text', 'disqualified_at'),
                "disqualified_at", "'unparseable'"),
            ("source_channel is null", "source", "'missing (counted as other)'"),
            ("not is_known_channel", "source",
                unknown_value_reason('source_text') ~ " || ' (counted as other)'"),
        ]) }} as flagged_values
    from checked

),

final as (

    select
        lead_id,
        owner_id,
        company_name,
        case when is_known_channel then source_channel else 'other' end as channel,
        disqualified_reason,
        created_at,
        case when is_mql_before_created then null else mql_at end as mql_at,
        sal_at,
        sql_at,
        disqualified_at,
        quarantine_reason,
        flagged_values,
        masked_values
    from flagged

)

select * from final
