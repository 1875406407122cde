with

source as (

    select * from {{ raw_table('crm', 'opportunities') }}

),

typed as (

    select
        -- ids
        {{ clean_id('opportunity_id') }} as opportunity_id,
        {{ clean_id('lead_id') }} as lead_id,
        {{ clean_id('owner_id') }} as owner_id,

        -- strings (free text masked: issue #24, macros/privacy.sql)
        {{ mask_private_text(clean_text('account_name')) }} as account_name,
        lower({{ clean_text('stage') }}) as stage,
        {{ mask_private_text(clean_text('lost_reason')) }} as lost_reason,

        -- numerics
        {{ parse_value('amount', dbt.type_numeric()) }} as amount,

        -- timestamps (UTC)
        {{ parse_utc_timestamp('created_at') }} as created_at,
        {{ parse_utc_timestamp('proposal_sent_at') }} as proposal_sent_at,
        {{ parse_utc_timestamp('closed_at') }} as closed_at,

        amount as amount_text,
        created_at as created_at_text,
        {{ clean_text('stage') }} as stage_text,
        proposal_sent_at as proposal_sent_at_text,
        closed_at as closed_at_text,

        {{ masked_values([
            ("opportunity_id", has_email_id(clean_text('opportunity_id'))),
            ("lead_id", has_email_id(clean_text('lead_id'))),
            ("owner_id", has_email_id(clean_text('owner_id'))),
            ("account_name", has_private_text(clean_text('account_name'))),
            ("stage", has_private_text(clean_text('stage'))),
            ("lost_reason", has_private_text(clean_text('lost_reason'))),
        ]) }} as masked_values

    from source

),

checked as (

    select
        *,
        stage in ('discovery', 'proposal', 'negotiation', 'closed_won', 'closed_lost')
            as is_known_stage,
        (amount < 0 or amount > {{ var('max_plausible_amount') }}
            or {{ is_unparseable('amount_text', 'amount') }}) as is_bad_amount,
        {# Only a missing or duplicate id loses the deal (issue #11): a bad
           amount or date is nulled and flagged, the deal and its revenue stay. #}
        {{ quarantine_reason([
            ("opportunity_id is null", "missing opportunity_id"),
            (is_after_as_of('created_at'), "created after the as-of date"),
            ("row_number() over (partition by opportunity_id order by created_at) > 1",
                "duplicate opportunity_id"),
        ]) }} as quarantine_reason
    from typed

),

flagged as (

    select
        *,
        {{ flagged_values([
            ("created_at is null", "created_at",
                missing_or_unparseable('created_at_text')),
            ("stage is null", "stage", "'missing'"),
            ("not is_known_stage", "stage", unknown_value_reason('stage_text')),
            (is_unparseable('amount_text', 'amount'), "amount", "'unparseable'"),
            ("amount < 0", "amount", "'negative'"),
            ("amount > " ~ var('max_plausible_amount'), "amount",
                "'implausibly large (over the max_plausible_amount var)'"),
            (is_unparseable('proposal_sent_at_text', 'proposal_sent_at'),
                "proposal_sent_at", "'unparseable'"),
            (is_unparseable('closed_at_text', 'closed_at'), "closed_at", "'unparseable'"),
            ("stage in ('closed_won', 'closed_lost') and closed_at is null", "closed_at",
                "'missing on a closed deal'"),
        ]) }} as flagged_values
    from checked

),

final as (

    select
        opportunity_id,
        lead_id,
        owner_id,
        account_name,
        case when is_known_stage then stage end as stage,
        lost_reason,
        {# An empty amount is unknown, not $0 (issue #7): sums skip it and
           the average deal size leaves it out. A bad amount is unknown too,
           and flagged above. #}
        case when coalesce(is_bad_amount, false) then null else amount end as amount,
        coalesce(is_known_stage and stage = 'closed_won', false) as is_won,
        coalesce(is_known_stage and stage = 'closed_lost', false) as is_lost,
        created_at,
        proposal_sent_at,
        closed_at,
        quarantine_reason,
        flagged_values,
        masked_values
    from flagged

)

select * from final
