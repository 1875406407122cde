"""The CRM sources' raw tables: per source, the tables and the columns its staging
models read, with every spelling a connector or export gives them (issue #9).

`sla-report build --source contract|salesforce|hubspot --data DIR` reads the
raw tables of that system as teams have them: a Salesforce Data Loader export
(headers in upper case), a Fivetran or Airbyte landing (snake_case such as
`created_date`, `mql_date_c`), a HubSpot sync. Each source is a set of dbt
base models (models/staging/<source>/base/) that turn its tables into the raw
contract the rest of the project reads, so every KPI, test and page works
unchanged. The org's settings file is read by generator.inputs.source_settings;
the headers are matched by generator.inputs.headers.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.inputs.raw_columns import OPTIONAL_TABLES, RAW_TABLES

# The systems the raw files can come from (`--source`, crm_source.yml `source:`).
SOURCES = ("contract", "salesforce", "hubspot")


@dataclass(frozen=True)
class Column:
    """One column a source's staging model reads."""

    name: str
    """The name the staging model uses (`source_column('lead', 'mql_date')`)."""
    spellings: tuple[str, ...]
    """Header spellings, first = the one named in messages (API names for Salesforce)."""
    required: bool = True
    setting: str | None = None
    """A settings key whose value is the column's name in this org (overrides spellings)."""


@dataclass(frozen=True)
class Table:
    """One raw table of a source system."""

    name: str
    """File name without suffix, as the connector names the table (case-insensitive)."""
    feeds: str
    """The contract table it feeds (leads, lead_activities, ...): what a KPI 'needs'."""
    columns: tuple[Column, ...]
    optional: bool = False
    """May be declared unavailable (or be missing when another table of the same feed exists)."""
    absent_ok: bool = False
    """May be missing from the export altogether (issue #19: owner history); the rule it
    feeds falls back and the page says which rule was used."""


def _c(name: str, *spellings: str, required: bool = True, setting: str | None = None) -> Column:
    return Column(name, spellings or (name,), required, setting)


# Salesforce object and field API names; Fivetran lands them in snake_case
# (CreatedDate -> created_date, MQL_Date__c -> mql_date_c), which the
# comparison without underscores matches.
SALESFORCE = (
    Table(
        "lead",
        "leads",
        (
            _c("id", "Id"),
            _c("created_date", "CreatedDate"),
            _c("owner_id", "OwnerId"),
            _c("status", "Status"),
            _c("lead_source", "LeadSource", required=False),
            _c("company", "Company", required=False),
            _c("is_converted", "IsConverted", required=False),
            _c("converted_opportunity_id", "ConvertedOpportunityId"),
            _c("is_deleted", "IsDeleted", required=False),
            _c("mql_date", "MQL_Date__c", setting="mql_date_field"),
            _c("sql_date", "ConvertedDate", setting="sql_date_field"),
            _c(
                "disqualified_date",
                "LastModifiedDate",
                required=False,
                setting="disqualified_date_field",
            ),
            _c(
                "disqualified_reason", "Status", required=False, setting="disqualified_reason_field"
            ),
        ),
    ),
    Table(
        "task",
        "lead_activities",
        (
            _c("id", "Id"),
            _c("who_id", "WhoId"),
            _c("owner_id", "OwnerId"),
            _c("created_date", "CreatedDate"),
            _c("completed_date_time", "CompletedDateTime", required=False),
            _c("type", "Type", required=False),
            _c("task_subtype", "TaskSubtype", required=False),
            _c("is_deleted", "IsDeleted", required=False),
        ),
        optional=True,
    ),
    Table(
        "event",
        "lead_activities",
        (
            _c("id", "Id"),
            _c("who_id", "WhoId"),
            _c("owner_id", "OwnerId"),
            _c("created_date", "CreatedDate"),
            _c("type", "Type", required=False),
            _c("event_subtype", "EventSubtype", required=False),
            _c("is_deleted", "IsDeleted", required=False),
        ),
        optional=True,
    ),
    Table(
        "opportunity",
        "opportunities",
        (
            _c("id", "Id"),
            _c("name", "Name", required=False),
            _c("created_date", "CreatedDate"),
            _c("stage_name", "StageName"),
            _c("amount", "Amount"),
            _c("close_date", "CloseDate"),
            _c("is_won", "IsWon"),
            _c("is_closed", "IsClosed"),
            _c("owner_id", "OwnerId"),
            _c("lead_source", "LeadSource", required=False),
            _c("is_deleted", "IsDeleted", required=False),
            _c("proposal_date", "Proposal_Date__c", required=False, setting="proposal_date_field"),
            _c("lost_reason", "Loss_Reason__c", required=False, setting="lost_reason_field"),
        ),
        optional=True,
    ),
    Table(
        "user",
        "reps",
        (
            _c("id", "Id"),
            _c("name", "Name"),
            _c("is_active", "IsActive", required=False),
            _c("user_role_id", "UserRoleId", required=False),
            _c("created_date", "CreatedDate", required=False),
        ),
    ),
    # Issue #19: field history of leads, Data Loader's LeadHistory or
    # Fivetran's lead_history; its Owner rows give the owner at MQL time.
    Table(
        "lead_history",
        "lead_owner_history",
        (
            _c("id", "Id"),
            _c("lead_id", "LeadId"),
            _c("field", "Field"),
            _c("old_value", "OldValue"),
            _c("new_value", "NewValue"),
            _c("created_date", "CreatedDate"),
            _c("is_deleted", "IsDeleted", required=False),
        ),
        optional=True,
        absent_ok=True,
    ),
)

# HubSpot as Fivetran lands it; Airbyte's flattened `properties_*` names too.
_P = ("property_", "properties_")


def _hs(
    name: str, prop: str, *extra: str, required: bool = True, setting: str | None = None
) -> Column:
    return Column(name, tuple(f"{prefix}{prop}" for prefix in _P) + extra, required, setting)


HUBSPOT = (
    Table(
        "contact",
        "leads",
        (
            _c("id", "id", "vid"),
            _hs("created_date", "createdate"),
            _hs("owner_id", "hubspot_owner_id"),
            _hs("analytics_source", "hs_analytics_source", required=False),
            _hs("company", "company", required=False),
            _hs("mql_date_old", "hs_lifecyclestage_marketingqualifiedlead_date", required=False),
            _hs("mql_date_new", "hs_v2_date_entered_marketingqualifiedlead", required=False),
            _hs("sql_date_old", "hs_lifecyclestage_salesqualifiedlead_date", required=False),
            _hs("sql_date_new", "hs_v2_date_entered_salesqualifiedlead", required=False),
            _hs("lead_status", "hs_lead_status", required=False),
            _hs(
                "disqualified_date",
                "lastmodifieddate",
                required=False,
                setting="disqualified_date_field",
            ),
            _c("is_deleted", "_fivetran_deleted", "is_deleted", "archived", required=False),
        ),
    ),
    Table(
        "engagement",
        "lead_activities",
        (_c("id", "id", "engagement_id"), _c("type", "type", "engagement_type")),
        optional=True,
    ),
    Table(
        "engagement_contact",
        "lead_activities",
        (_c("engagement_id", "engagement_id"), _c("contact_id", "contact_id")),
        optional=True,
    ),
    *(
        Table(
            f"engagement_{kind}",
            "lead_activities",
            (
                _c("engagement_id", "engagement_id"),
                _hs("timestamp", "hs_timestamp"),
                _hs("owner_id", "hubspot_owner_id"),
                _hs("engagement_source", "hs_engagement_source", required=False),
            ),
            optional=True,
        )
        for kind in ("call", "email", "meeting")
    ),
    Table(
        "deal",
        "opportunities",
        (
            _c("id", "deal_id", "id"),
            _hs("name", "dealname", required=False),
            _hs("amount", "amount"),
            _hs("close_date", "closedate"),
            _hs("created_date", "createdate"),
            _c("stage_id", "deal_pipeline_stage_id", *(f"{p}dealstage" for p in _P)),
            _c("owner_id", "owner_id", *(f"{p}hubspot_owner_id" for p in _P)),
            _hs("lost_reason", "closed_lost_reason", required=False),
            _c("is_deleted", "is_deleted", "_fivetran_deleted", required=False),
        ),
        optional=True,
    ),
    Table(
        "deal_pipeline_stage",
        "opportunities",
        (
            _c("stage_id", "stage_id", "id"),
            _c("label", "label"),
            _c("probability", "probability", required=False),
        ),
        optional=True,
    ),
    Table(
        "deal_contact",
        "opportunities",
        (_c("deal_id", "deal_id"), _c("contact_id", "contact_id")),
        optional=True,
    ),
    Table(
        "owner",
        "reps",
        (
            _c("id", "owner_id", "id"),
            _c("first_name", "first_name", "firstname"),
            _c("last_name", "last_name", "lastname"),
            _c("created_at", "created_at", "createdat", required=False),
        ),
    ),
    # Issue #19: every value a contact property took, as Fivetran lands it
    # (its dbt package renames `timestamp` to change_timestamp); the
    # hubspot_owner_id rows give the owner at MQL time.
    Table(
        "contact_property_history",
        "lead_owner_history",
        (
            _c("contact_id", "contact_id"),
            _c("name", "name", "property_name"),
            _c("value", "value", "property_value"),
            _c("timestamp", "timestamp", "change_timestamp"),
        ),
        optional=True,
        absent_ok=True,
    ),
)

# The contract's optional tables (generator.inputs.raw_columns.OPTIONAL_TABLES).
LEAD_OWNER_HISTORY = Table(
    "lead_owner_history",
    "lead_owner_history",
    tuple(_c(name) for name in OPTIONAL_TABLES["lead_owner_history"]),
    optional=True,
    absent_ok=True,
)

# Web analytics is its own system whatever the CRM: the contract's
# web_sessions file, or declared unavailable.
WEB_SESSIONS = Table(
    "web_sessions",
    "web_sessions",
    tuple(_c(name) for name in RAW_TABLES["web_sessions"]),
    optional=True,
)

SOURCE_TABLES: dict[str, tuple[Table, ...]] = {
    "contract": (
        *(
            Table(
                name,
                name,
                tuple(_c(column) for column in columns),
                optional=name not in ("leads", "reps"),
            )
            for name, columns in RAW_TABLES.items()
        ),
        LEAD_OWNER_HISTORY,
    ),
    "salesforce": (*SALESFORCE, WEB_SESSIONS),
    "hubspot": (*HUBSPOT, WEB_SESSIONS),
}

# Contract columns a team may lack while having the table (`unavailable:
# [leads.sql_at]`): the KPIs that need one (meta.kpi.needs) are no data.
# The words a reason uses for each are in macros/inputs.sql.
UNAVAILABLE_COLUMNS = {
    "leads": ("sql_at", "sal_at", "disqualified_at"),
    "opportunities": ("proposal_sent_at",),
}

# Tables without which a feed is unavailable even if its other tables have
# rows (HubSpot: engagements without their type or contacts link nothing).
ESSENTIAL = {"engagement", "engagement_contact", "deal", "deal_pipeline_stage"}


def missing_inputs(source: str, unavailable: dict[str, str]) -> dict[str, str]:
    """Return the contract inputs the team lacks -> why: the `missing_inputs` dbt var.

    A feed (a contract table: lead_activities, revenue, ...) is missing when
    an essential raw table of it is unavailable, or all of them are; a
    contract column declared unavailable (leads.sql_at) is missing by itself.
    The models turn it into no data with a reason (macros/inputs.sql).
    """
    by_feed: dict[str, list[Table]] = {}
    for table in SOURCE_TABLES.get(source, SOURCE_TABLES["contract"]):
        by_feed.setdefault(table.feeds, []).append(table)
    missing: dict[str, str] = {}
    for feed, tables in by_feed.items():
        down = [table for table in tables if table.name in unavailable]
        essential = [table for table in down if table.name in ESSENTIAL]
        if essential or (down and len(down) == len(tables)):
            missing[feed] = "; ".join(
                f"{table.name}: {unavailable[table.name]}" for table in (essential or down)
            )
    missing.update({name: why for name, why in unavailable.items() if "." in name})
    return dict(sorted(missing.items()))
