{#- Two agreements in force on the same day would make every KPI ambiguous.
    Fails with each overlapping pair (a gap between periods is fine). -#}
with

agreements as (

    select * from {{ ref('stg_sla__agreements') }}

)

select
    earlier.agreement_id,
    later.agreement_id as overlapping_agreement_id
from agreements as earlier
inner join agreements as later
    on earlier.agreement_id <> later.agreement_id
    and earlier.period_start_date <= later.period_start_date
    and earlier.period_end_date >= later.period_start_date
