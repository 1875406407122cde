{#- Who owned each lead since when (issue #19), typed. An optional contract
    table: a team without it gets an empty table (generator/config.py writes
    a header-only stand-in; a warehouse without the table reads nothing, see
    the optional_raw_table macro), and every breach stays with the lead's
    current owner.

    One row per owner assignment: the lead, its new owner (empty: no owner)
    and from when. An empty valid_from means "since the lead was created"
    (Salesforce's LeadHistory only records changes, so the owner before the
    first change has no date of its own). A row is quarantined when its
    lead_id is missing, its valid_from does not parse, it is dated after the
    as-of day, or it repeats another row's lead and moment. -#}
with

source as (

    select * from {{ optional_raw_table('crm', 'lead_owner_history',
        ['lead_id', 'owner_id', 'valid_from']) }}

),

typed as (

    select
        -- ids (an address as an id becomes its pseudonym, as in stg_crm__leads)
        {{ clean_id('lead_id') }} as lead_id,
        {{ clean_id('owner_id') }} as owner_id,

        -- timestamps (UTC)
        {{ parse_utc_timestamp('valid_from') }} as valid_from_at,

        valid_from as valid_from_text,

        {{ masked_values([
            ("lead_id", has_email_id(clean_text('lead_id'))),
            ("owner_id", has_email_id(clean_text('owner_id'))),
        ]) }} as masked_values

    from source

),

checked as (

    select
        *,
        {{ quarantine_reason([
            ("lead_id is null", "missing lead_id"),
            (is_unparseable('valid_from_text', 'valid_from_at'), "unparseable valid_from"),
            (is_after_as_of('valid_from_at'), "dated after the as-of date"),
            ("row_number() over (partition by lead_id, valid_from_at order by owner_id) > 1",
                "duplicate lead_id and valid_from"),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        {{ composite_key(['lead_id', "coalesce(valid_from_text, '')",
            "coalesce(owner_id, '')"]) }} as lead_owner_assignment_id,
        lead_id,
        owner_id,
        valid_from_at,
        quarantine_reason,
        masked_values
    from checked

)

select * from final
