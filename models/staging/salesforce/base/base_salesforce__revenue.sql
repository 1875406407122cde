{#- Salesforce has no revenue ledger of its own: a won opportunity is one
    new-business revenue line of its Amount, booked on its CloseDate
    (issue #9). -#}
with

opportunities as (

    select * from {{ raw_table('salesforce', 'opportunity') }}

),

final as (

    select
        {{ clean_text(source_column('opportunity', 'id')) }} as revenue_id,
        {{ clean_text(source_column('opportunity', 'id')) }} as opportunity_id,
        {{ crm_date_text(source_column('opportunity', 'close_date')) }} as booked_on,
        {{ clean_text(source_column('opportunity', 'amount')) }} as amount,
        'new_business' as revenue_type
    from opportunities
    where {{ parse_boolean(source_column('opportunity', 'is_won')) }}
        and not coalesce({{ parse_boolean(source_column('opportunity', 'is_deleted')) }},
            false)

)

select * from final
