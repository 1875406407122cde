{#- HubSpot engagements -> the raw `lead_activities` contract: one row per
    engagement and contact it is about.

    Calls, outgoing e-mails and meetings are touches (engagement type CALL,
    EMAIL, MEETING); notes and tasks are not, nor are incoming or forwarded
    e-mails (other types in engagement_email). The time is
    property_hs_timestamp of the call, e-mail or meeting. Automated = an
    hs_engagement_source the org lists (automated_engagement_sources).
    Joining the type tables to their engagement and contacts is the key
    lookup HubSpot's layout needs; downstream reads only the contract. -#}
with

engagements as (

    select * from {{ raw_table('hubspot', 'engagement') }}

),

engagement_contacts as (

    select * from {{ raw_table('hubspot', 'engagement_contact') }}

),

{% set kinds = ['call', 'email', 'meeting'] %}
{% for kind in kinds %}
{{ kind }}s as (

    select
        {{ clean_text(source_column('engagement_' ~ kind, 'engagement_id')) }}
            as engagement_id,
        {{ clean_text(source_column('engagement_' ~ kind, 'owner_id')) }} as rep_id,
        {{ clean_text(source_column('engagement_' ~ kind, 'engagement_source')) }}
            as engagement_source,
        {{ crm_timestamp_text(source_column('engagement_' ~ kind, 'timestamp')) }}
            as occurred_at,
        '{{ kind }}' as activity_type
    from {{ raw_table('hubspot', 'engagement_' ~ kind) }}

),
{% endfor %}

touches as (

    {% for kind in kinds %}
    select * from {{ kind }}s
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

engagements_renamed as (

    select
        {{ clean_text(source_column('engagement', 'id')) }} as engagement_id,
        upper({{ clean_text(source_column('engagement', 'type')) }}) as engagement_type
    from engagements

),

contacts_renamed as (

    select
        {{ clean_text(source_column('engagement_contact', 'engagement_id')) }}
            as engagement_id,
        {{ clean_text(source_column('engagement_contact', 'contact_id')) }} as contact_id
    from engagement_contacts

),

final as (

    select
        touches.engagement_id || '-' || contacts_renamed.contact_id as activity_id,
        contacts_renamed.contact_id as lead_id,
        touches.occurred_at,
        touches.activity_type,
        touches.rep_id,
        case
            when touches.engagement_source
                in {{ text_list(source_setting('automated_engagement_sources')) }}
                then 'true'
            else 'false'
        end as is_automated
    from touches
    inner join engagements_renamed
        on touches.engagement_id = engagements_renamed.engagement_id
        and engagements_renamed.engagement_type in ('CALL', 'EMAIL', 'MEETING')
    inner join contacts_renamed
        on touches.engagement_id = contacts_renamed.engagement_id

)

select * from final
