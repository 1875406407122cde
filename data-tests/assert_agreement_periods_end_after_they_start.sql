{#- An agreement must end on or after the day it starts. -#}
select agreement_id
from {{ ref('stg_sla__agreements') }}
where period_end_date < period_start_date
