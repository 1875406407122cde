"""The raw input contract: which tables a data directory holds and their required columns."""

from __future__ import annotations

# Required columns per raw table (extra columns are ignored). Timestamps are
# ISO 8601; a timestamp without an offset means UTC.
RAW_TABLES: dict[str, list[str]] = {
    "leads": [
        "lead_id",
        "created_at",
        "email",
        "full_name",
        "company",
        "source",
        "owner_id",
        "mql_at",
        "sal_at",
        "sql_at",
        "disqualified_at",
        "disqualified_reason",
    ],
    "lead_activities": [
        "activity_id",
        "lead_id",
        "occurred_at",
        "activity_type",
        "rep_id",
        "is_automated",
    ],
    "opportunities": [
        "opportunity_id",
        "lead_id",
        "account_name",
        "created_at",
        "stage",
        "amount",
        "proposal_sent_at",
        "closed_at",
        "owner_id",
        "lost_reason",
    ],
    "revenue": ["revenue_id", "opportunity_id", "booked_on", "amount", "revenue_type"],
    "web_sessions": ["session_date", "channel", "sessions"],
    "reps": ["rep_id", "rep_name", "team", "started_on", "ended_on"],
}

# Optional contract tables (issue #19): read when the data folder has them;
# without one the build goes on (a header-only stand-in) and the rule it
# feeds falls back, saying so on the page. lead_owner_history: who owned
# each lead since when (an empty valid_from: since the lead was created),
# so a breach stays with the owner at MQL time; without it, the current owner.
OPTIONAL_TABLES: dict[str, list[str]] = {
    "lead_owner_history": ["lead_id", "owner_id", "valid_from"]
}

FILE_SUFFIXES = (".csv", ".parquet")

# Typed columns per raw table: a column where not one non-empty value parses
# is a structural problem (wrong file, wrong format) and stops the build; a
# few bad values are row-level and quarantined by staging.
TYPED_COLUMNS: dict[str, dict[str, str]] = {
    "leads": {
        "created_at": "timestamp",
        "mql_at": "timestamp",
        "sal_at": "timestamp",
        "sql_at": "timestamp",
        "disqualified_at": "timestamp",
    },
    "lead_activities": {"occurred_at": "timestamp", "is_automated": "boolean"},
    "opportunities": {
        "created_at": "timestamp",
        "amount": "number",
        "proposal_sent_at": "timestamp",
        "closed_at": "timestamp",
    },
    "revenue": {"booked_on": "date", "amount": "number"},
    "web_sessions": {"session_date": "date", "sessions": "integer"},
    "reps": {"started_on": "date", "ended_on": "date"},
    "lead_owner_history": {"valid_from": "timestamp"},
}

# The acquisition channels: the values of leads.source and web_sessions.channel
# that staging accepts. The one Python list: crm_source.yml's channel
# maps are checked against it and the demo data draws one traffic profile per
# entry; the SQL and YAML copies are models/staging/*/stg_*.sql and their YAML.
CHANNELS = (
    "organic_search",
    "paid_search",
    "social",
    "email",
    "referral",
    "direct",
    "events",
    "other",
)
