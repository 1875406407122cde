with

source as (

    select * from {{ raw_table('crm', 'opportunities') }}

),

typed as (

    select
        -- ids
        {{ clean_text('opportunity_id') }} as opportunity_id,
        {{ clean_text('lead_id') }} as lead_id,
        {{ clean_text('owner_id') }} as owner_id,

        -- strings
        {{ clean_text('account_name') }} as account_name,
        lower({{ clean_text('stage') }}) as stage,
        {{ clean_text('lost_reason') }} as lost_reason,

        -- numerics
        {{ parse_value('amount', dbt.type_numeric()) }} as amount,

        -- timestamps (UTC)
        {{ parse_utc_timestamp('created_at') }} as created_at,
        {{ parse_utc_timestamp('proposal_sent_at') }} as proposal_sent_at,
        {{ parse_utc_timestamp('closed_at') }} as closed_at,

        amount as amount_text,
        proposal_sent_at as proposal_sent_at_text,
        closed_at as closed_at_text

    from source

),

checked as (

    select
        *,
        {{ rejection_reason([
            ("opportunity_id is null", "missing opportunity_id"),
            ("created_at is null", "missing or unparseable created_at"),
            ("stage is null or stage not in ('discovery', 'proposal', 'negotiation', "
                ~ "'closed_won', 'closed_lost')", "unknown stage"),
            (is_unparseable('amount_text', 'amount'), "unparseable amount"),
            ("amount < 0", "negative amount"),
            ("amount > " ~ var('max_plausible_amount'), "implausibly large amount"),
            (is_after_as_of('created_at'), "created after the as-of date"),
            (is_unparseable('proposal_sent_at_text', 'proposal_sent_at'),
                "unparseable proposal_sent_at"),
            (is_unparseable('closed_at_text', 'closed_at'), "unparseable closed_at"),
            ("stage in ('closed_won', 'closed_lost') and closed_at is null",
                "closed without closed_at"),
            ("row_number() over (partition by opportunity_id order by created_at) > 1",
                "duplicate opportunity_id"),
        ]) }} as rejection_reason
    from typed

),

final as (

    select
        opportunity_id,
        lead_id,
        owner_id,
        account_name,
        stage,
        lost_reason,
        coalesce(amount, 0) as amount,
        {# Marketing-sourced means the deal came from a lead (issue #2). #}
        lead_id is not null as is_marketing_sourced,
        stage = 'closed_won' as is_won,
        stage = 'closed_lost' as is_lost,
        created_at,
        proposal_sent_at,
        closed_at,
        rejection_reason
    from checked

)

select * from final
