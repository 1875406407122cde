with

reps as (

    select * from {{ ref('stg_crm__reps') }}
    where quarantine_reason is null

),

final as (

    select
        rep_id,
        rep_name,
        team,
        started_date,
        ended_date
    from reps

)

select * from final
