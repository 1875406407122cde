"""Which CRM the raw files come from, and the org's choices about it (issue #9).

`sla-report build --source contract|salesforce|hubspot --data DIR` reads the
raw tables of that system as teams have them: a Salesforce Data Loader export
(headers in upper case), a Fivetran or Airbyte landing (snake_case such as
`created_date`, `mql_date_c`), a HubSpot sync. Each source is a set of dbt
base models (models/staging/<source>/base/) that turn its tables into the raw
contract the rest of the project reads, so every KPI, test and page works
unchanged.

This module knows, per source, the raw tables and the columns the staging
models read, with every spelling a connector or export gives them. It finds
each in the files' headers before dbt runs, so a missing column is one exit-3
message naming the file, the column and the closest header found, and hands
dbt the header that exists (the `source_columns` var, read by the
`source_column` macro). Names are compared without case, spaces or
underscores: `MQL_DATE__C`, `mql_date__c` and `mql_date_c` are one column.

It also reads the org's settings file (`crm_source.yml`, see
`crm_source.example.yml`): the custom field holding the MQL date, the
statuses that mean disqualified, which users are marketing, and which raw
tables the team does not have (declared unavailable, see
macros/inputs.sql).
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.contract import FILE_SUFFIXES, OPTIONAL_TABLES, RAW_TABLES
from generator.exceptions import ConfigError
from generator.raw_input import normalise_name

SOURCES = ("contract", "salesforce", "hubspot")
SETTINGS_NAME = "crm_source.yml"


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
    Table("lead", "leads", (
        _c("id", "Id"), _c("created_date", "CreatedDate"), _c("owner_id", "OwnerId"),
        _c("status", "Status"), _c("lead_source", "LeadSource", required=False),
        _c("company", "Company", required=False),
        _c("is_converted", "IsConverted", required=False),
        _c("converted_opportunity_id", "ConvertedOpportunityId"),
        _c("is_deleted", "IsDeleted", required=False),
        _c("mql_date", "MQL_Date__c", setting="mql_date_field"),
        _c("sql_date", "ConvertedDate", setting="sql_date_field"),
        _c("disqualified_date", "LastModifiedDate", required=False,
           setting="disqualified_date_field"),
        _c("disqualified_reason", "Status", required=False,
           setting="disqualified_reason_field"),
    )),
    Table("task", "lead_activities", (
        _c("id", "Id"), _c("who_id", "WhoId"), _c("owner_id", "OwnerId"),
        _c("created_date", "CreatedDate"),
        _c("completed_date_time", "CompletedDateTime", required=False),
        _c("type", "Type", required=False), _c("task_subtype", "TaskSubtype", required=False),
        _c("is_deleted", "IsDeleted", required=False),
    ), optional=True),
    Table("event", "lead_activities", (
        _c("id", "Id"), _c("who_id", "WhoId"), _c("owner_id", "OwnerId"),
        _c("created_date", "CreatedDate"),
        _c("type", "Type", required=False), _c("event_subtype", "EventSubtype", required=False),
        _c("is_deleted", "IsDeleted", required=False),
    ), optional=True),
    Table("opportunity", "opportunities", (
        _c("id", "Id"), _c("name", "Name", required=False), _c("created_date", "CreatedDate"),
        _c("stage_name", "StageName"), _c("amount", "Amount"), _c("close_date", "CloseDate"),
        _c("is_won", "IsWon"), _c("is_closed", "IsClosed"), _c("owner_id", "OwnerId"),
        _c("lead_source", "LeadSource", required=False),
        _c("is_deleted", "IsDeleted", required=False),
        _c("proposal_date", "Proposal_Date__c", required=False, setting="proposal_date_field"),
        _c("lost_reason", "Loss_Reason__c", required=False, setting="lost_reason_field"),
    ), optional=True),
    Table("user", "reps", (
        _c("id", "Id"), _c("name", "Name"), _c("is_active", "IsActive", required=False),
        _c("user_role_id", "UserRoleId", required=False),
        _c("created_date", "CreatedDate", required=False),
    )),
    # Issue #19: field history of leads, Data Loader's LeadHistory or
    # Fivetran's lead_history; its Owner rows give the owner at MQL time.
    Table("lead_history", "lead_owner_history", (
        _c("id", "Id"), _c("lead_id", "LeadId"), _c("field", "Field"),
        _c("old_value", "OldValue"), _c("new_value", "NewValue"),
        _c("created_date", "CreatedDate"), _c("is_deleted", "IsDeleted", required=False),
    ), optional=True, absent_ok=True),
)

# HubSpot as Fivetran lands it; Airbyte's flattened `properties_*` names too.
_P = ("property_", "properties_")


def _hs(name: str, prop: str, *extra: str, required: bool = True,
        setting: str | None = None) -> Column:
    return Column(name, tuple(f"{prefix}{prop}" for prefix in _P) + extra, required, setting)


HUBSPOT = (
    Table("contact", "leads", (
        _c("id", "id", "vid"), _hs("created_date", "createdate"),
        _hs("owner_id", "hubspot_owner_id"),
        _hs("analytics_source", "hs_analytics_source", required=False),
        _hs("company", "company", required=False),
        _hs("mql_date_old", "hs_lifecyclestage_marketingqualifiedlead_date", required=False),
        _hs("mql_date_new", "hs_v2_date_entered_marketingqualifiedlead", required=False),
        _hs("sql_date_old", "hs_lifecyclestage_salesqualifiedlead_date", required=False),
        _hs("sql_date_new", "hs_v2_date_entered_salesqualifiedlead", required=False),
        _hs("lead_status", "hs_lead_status", required=False),
        _hs("disqualified_date", "lastmodifieddate", required=False,
            setting="disqualified_date_field"),
        _c("is_deleted", "_fivetran_deleted", "is_deleted", "archived", required=False),
    )),
    Table("engagement", "lead_activities", (
        _c("id", "id", "engagement_id"), _c("type", "type", "engagement_type"),
    ), optional=True),
    Table("engagement_contact", "lead_activities", (
        _c("engagement_id", "engagement_id"), _c("contact_id", "contact_id"),
    ), optional=True),
    *(Table(f"engagement_{kind}", "lead_activities", (
        _c("engagement_id", "engagement_id"), _hs("timestamp", "hs_timestamp"),
        _hs("owner_id", "hubspot_owner_id"),
        _hs("engagement_source", "hs_engagement_source", required=False),
    ), optional=True) for kind in ("call", "email", "meeting")),
    Table("deal", "opportunities", (
        _c("id", "deal_id", "id"), _hs("name", "dealname", required=False),
        _hs("amount", "amount"), _hs("close_date", "closedate"),
        _hs("created_date", "createdate"),
        _c("stage_id", "deal_pipeline_stage_id", *(f"{p}dealstage" for p in _P)),
        _c("owner_id", "owner_id", *(f"{p}hubspot_owner_id" for p in _P)),
        _hs("lost_reason", "closed_lost_reason", required=False),
        _c("is_deleted", "is_deleted", "_fivetran_deleted", required=False),
    ), optional=True),
    Table("deal_pipeline_stage", "opportunities", (
        _c("stage_id", "stage_id", "id"), _c("label", "label"),
        _c("probability", "probability", required=False),
    ), optional=True),
    Table("deal_contact", "opportunities", (
        _c("deal_id", "deal_id"), _c("contact_id", "contact_id"),
    ), optional=True),
    Table("owner", "reps", (
        _c("id", "owner_id", "id"), _c("first_name", "first_name", "firstname"),
        _c("last_name", "last_name", "lastname"),
        _c("created_at", "created_at", "createdat", required=False),
    )),
    # Issue #19: every value a contact property took, as Fivetran lands it
    # (its dbt package renames `timestamp` to change_timestamp); the
    # hubspot_owner_id rows give the owner at MQL time.
    Table("contact_property_history", "lead_owner_history", (
        _c("contact_id", "contact_id"), _c("name", "name", "property_name"),
        _c("value", "value", "property_value"),
        _c("timestamp", "timestamp", "change_timestamp"),
    ), optional=True, absent_ok=True),
)

# The contract's optional tables (generator.contract.OPTIONAL_TABLES).
LEAD_OWNER_HISTORY = Table("lead_owner_history", "lead_owner_history", tuple(
    _c(name) for name in OPTIONAL_TABLES["lead_owner_history"]), optional=True, absent_ok=True)

# Web analytics is its own system whatever the CRM: the contract's
# web_sessions file, or declared unavailable.
WEB_SESSIONS = Table("web_sessions", "web_sessions", tuple(
    _c(name) for name in RAW_TABLES["web_sessions"]), optional=True)

SOURCE_TABLES: dict[str, tuple[Table, ...]] = {
    "contract": (*(Table(name, name, tuple(_c(column) for column in columns),
                          optional=name not in ("leads", "reps"))
                    for name, columns in RAW_TABLES.items()), LEAD_OWNER_HISTORY),
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

# How marketing-sourced is decided (issue #19, macros/attribution.sql).
ATTRIBUTION_RULES = ("mql_before_opportunity", "original_source", "any_lead")


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
            missing[feed] = "; ".join(f"{table.name}: {unavailable[table.name]}"
                                      for table in (essential or down))
    missing.update({name: why for name, why in unavailable.items() if "." in name})
    return dict(sorted(missing.items()))

# -- settings ----------------------------------------------------------------------

# Defaults that work for a standard org; each is explained in crm_source.example.yml.
DEFAULT_SETTINGS: dict[str, dict] = {
    "salesforce": {
        "mql_date_field": "MQL_Date__c",
        "sql_date_field": "ConvertedDate",
        "disqualified_statuses": ["Unqualified", "Disqualified"],
        "disqualified_date_field": "LastModifiedDate",
        "disqualified_reason_field": "Status",
        "automated_task_subtypes": ["ListEmail"],
        "proposal_date_field": None,
        "lost_reason_field": None,
        "marketing_user_ids": [],
        "marketing_role_ids": [],
        # Report exports (issue #21): the day/month order of the user's
        # locale when the data cannot settle it, the zone of its date-times,
        # and the decimal separator of its amounts.
        "date_format": None,
        "export_time_zone": None,
        "decimal_separator": ".",
        "lead_source_channels": {
            "Web": "organic_search", "Advertisement": "paid_search",
            "Phone Inquiry": "direct", "Partner Referral": "referral",
            "Employee Referral": "referral", "External Referral": "referral",
            "Partner": "referral", "Word of mouth": "referral",
            "Trade Show": "events", "Seminar - Internal": "events",
            "Seminar - Partner": "events", "Purchased List": "other", "Other": "other",
        },
    },
    "hubspot": {
        "disqualified_lead_statuses": ["UNQUALIFIED"],
        "disqualified_date_field": "property_lastmodifieddate",
        "automated_engagement_sources": ["AUTOMATION_PLATFORM", "SEQUENCES", "WORKFLOWS"],
        "marketing_owner_ids": [],
        "won_stage_labels": ["Closed Won"],
        "lost_stage_labels": ["Closed Lost"],
        # UI exports write date-times in the account's time zone (issue #21).
        "export_time_zone": None,
        "analytics_source_channels": {
            "ORGANIC_SEARCH": "organic_search", "PAID_SEARCH": "paid_search",
            "PAID_SOCIAL": "social", "SOCIAL_MEDIA": "social", "EMAIL_MARKETING": "email",
            "REFERRALS": "referral", "DIRECT_TRAFFIC": "direct", "OFFLINE": "other",
            "OTHER_CAMPAIGNS": "other", "AI_REFERRALS": "referral",
        },
    },
    "contract": {},
}
# `pull:` is read and checked by `sla-report pull` (generator/pull/settings.py).
_TOP_KEYS = {"source", "unavailable", "attribution", "pull", "crm_links", *SOURCES}
_LIST_KEYS = {"disqualified_statuses", "automated_task_subtypes", "marketing_user_ids",
              "marketing_role_ids", "disqualified_lead_statuses",
              "automated_engagement_sources", "marketing_owner_ids", "won_stage_labels",
              "lost_stage_labels"}
_MAP_KEYS = {"lead_source_channels", "analytics_source_channels"}
DATE_FORMATS = ("MM/DD/YYYY", "DD/MM/YYYY")
"""salesforce.date_format: the order of month and day in a report export (any separator)."""
_CHOICES = {"date_format": DATE_FORMATS, "decimal_separator": (".", ",")}
CHANNELS = ("organic_search", "paid_search", "social", "email", "referral", "direct",
            "events", "other")


@dataclass(frozen=True)
class SourceSettings:
    """The org's choices for one source, validated."""

    source: str
    settings: dict = field(default_factory=dict)
    unavailable: tuple[str, ...] = ()
    """Raw tables the team does not have (file names without suffix)."""
    path: Path | None = None
    """The settings file read (None: defaults only)."""
    attribution: dict | None = None
    """`attribution:` as given ({rule, channels}); None: the project's default."""
    crm_links: dict | None = None
    """`crm_links:` checked: {"lead": template, **values}; None: no links (issue #20)."""


def _key(name: str) -> str:
    """Return a header name reduced for comparison: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def settings_path(project_dir: Path, data_dir: Path | None) -> Path | None:
    """Return the settings file: the data folder's own, else the project's, else None.

    A data folder may carry its own file: an export knows which tables it lacks.
    """
    for folder in (data_dir, project_dir):
        if folder is not None and (folder / SETTINGS_NAME).is_file():
            return folder / SETTINGS_NAME
    return None


def read_document(path: Path) -> dict:
    """Return the settings file as a mapping, or a ConfigError naming the file."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    return document


def load_settings(path: Path | None, source: str | None) -> SourceSettings:
    """Return the validated settings of the source in use (the option, else the file's)."""
    document: dict = {}
    if path is not None:
        document = read_document(path)
        unknown = sorted(set(document) - _TOP_KEYS)
        if unknown:
            raise ConfigError(f"{path}: unknown setting {unknown[0]!r}"
                              f"{_did_you_mean(unknown[0], _TOP_KEYS)}")
    chosen = source or document.get("source") or "contract"
    if chosen not in SOURCES:
        raise ConfigError(f"{path}: source {chosen!r} is not one of {', '.join(SOURCES)}"
                          f"{_did_you_mean(chosen, SOURCES)}")
    # Every source's section is checked, not only the one in use: a typo
    # waits for no migration to surface.
    sections = {name: _section(path, name, document.get(name)) for name in SOURCES}
    settings = sections[chosen]
    unavailable = document.get("unavailable") or []
    if not isinstance(unavailable, list):
        raise ConfigError(f"{path}: unavailable: expected a list of raw table names")
    tables = {table.name: table for table in SOURCE_TABLES[chosen]}
    for name in unavailable:
        if chosen == "contract" and "." in str(name):
            _check_unavailable_column(path, str(name))
            continue
        table = tables.get(str(name).lower())
        if table is None:
            raise ConfigError(f"{path}: unavailable: {name!r} is not a raw table of the "
                              f"{chosen} source{_did_you_mean(str(name), tables)}")
        if not table.optional:
            raise ConfigError(f"{path}: unavailable: {name!r} cannot be unavailable: every "
                              "report needs it")
    return SourceSettings(chosen, settings, tuple(str(n).lower() for n in unavailable), path,
                          _attribution(path, document.get("attribution")),
                          crm_links(path, document.get("crm_links")))


# A value filled into a link template: an account id or a My Domain name.
_LINK_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,99}")


def crm_links(path: Path | None, given) -> dict | None:
    """Return `crm_links:` checked: a `lead` URL template and the values it names.

    The template is the CRM's address of a lead record, with `{lead_id}` and
    any other `{name}` given beside it (issue #20):

        crm_links:
          lead: https://app.hubspot.com/contacts/{portal_id}/record/0-1/{lead_id}
          portal_id: "1234567"
    """
    if given is None:
        return None
    where = f"{path}: crm_links"
    if not isinstance(given, dict) or not isinstance(given.get("lead"), str):
        raise ConfigError(f"{where}: expected a `lead:` URL template with {{lead_id}}")
    template = given["lead"].strip()
    if not re.match(r"https://[^\s/]+/", template) or "{lead_id}" not in template:
        raise ConfigError(f"{where}.lead: expected an https:// address with {{lead_id}}, "
                          f"not {template!r}")
    values = {str(key): str(value) for key, value in given.items() if key != "lead"}
    for key, value in values.items():
        if not _LINK_VALUE.fullmatch(value):
            raise ConfigError(f"{where}.{key}: {value!r} is not an id or a host name "
                              "(letters, digits, '.' and '-')")
    try:
        template.format(lead_id="x", **values)
    except KeyError as error:
        raise ConfigError(f"{where}.lead: {{{error.args[0]}}} has no value: add "
                          f"`{error.args[0]}: ...` under crm_links") from None
    except (ValueError, IndexError) as error:
        raise ConfigError(f"{where}.lead: not a template ({error})") from None
    return {"lead": template, **values}


def _attribution(path: Path | None, given) -> dict | None:
    """Return the attribution setting checked: a rule name, or {rule, channels}."""
    if given is None:
        return None
    if isinstance(given, str):
        given = {"rule": given}
    if not isinstance(given, dict) or set(given) - {"rule", "channels"}:
        raise ConfigError(f"{path}: attribution: expected a rule ({', '.join(ATTRIBUTION_RULES)})"
                          " or a mapping with `rule` and `channels`")
    rule = given.get("rule") or ATTRIBUTION_RULES[0]
    if rule not in ATTRIBUTION_RULES:
        hint = _did_you_mean(str(rule), ATTRIBUTION_RULES)
        raise ConfigError(f"{path}: attribution: {rule!r} is not one of "
                          f"{', '.join(ATTRIBUTION_RULES)}{hint}")
    channels = given.get("channels") or []
    if not isinstance(channels, list) or [c for c in channels if c not in CHANNELS]:
        bad = [c for c in channels if c not in CHANNELS] if isinstance(channels, list) else []
        raise ConfigError(f"{path}: attribution.channels: expected a list of channels "
                          f"({', '.join(CHANNELS)})" + (f", not {bad[0]!r}" if bad else ""))
    if rule == "original_source" and not channels:
        raise ConfigError(f"{path}: attribution: original_source needs `channels`, the "
                          "channels whose leads count as marketing-sourced")
    return {"rule": rule, "channels": [str(c) for c in channels]}


def _section(path: Path | None, source: str, given) -> dict:
    """Return one source's settings, defaults filled in, each value checked."""
    settings = dict(DEFAULT_SETTINGS[source])
    if given is None:
        return settings
    if not isinstance(given, dict):
        raise ConfigError(f"{path}: {source}: expected a mapping of settings")
    for name, value in given.items():
        where = f"{path}: {source}.{name}"
        if name not in settings:
            raise ConfigError(f"{path}: {source}: unknown setting {name!r}"
                              f"{_did_you_mean(name, settings)}")
        if name in _LIST_KEYS:
            if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
                raise ConfigError(f"{where}: expected a list of values, like [a, b]")
            value = [str(v) for v in value]
        elif name in _MAP_KEYS:
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: expected a mapping of CRM value: channel")
            bad = [v for v in value.values() if v not in CHANNELS]
            if bad:
                raise ConfigError(f"{where}: {bad[0]!r} is not a channel "
                                  f"({', '.join(CHANNELS)})")
            value = {str(k): str(v) for k, v in value.items()}
        elif name in _CHOICES:
            if value is not None and value not in _CHOICES[name]:
                raise ConfigError(f"{where}: {value!r} is not one of "
                                  f"{', '.join(_CHOICES[name])}")
        elif value is not None and not isinstance(value, str):
            raise ConfigError(f"{where}: expected a field name")
        settings[name] = value
    return settings


def _check_unavailable_column(path: Path | None, name: str) -> None:
    """Refuse a declared-unavailable `table.column` the contract does not have."""
    table, _, column = name.lower().partition(".")
    if table not in RAW_TABLES:
        raise ConfigError(f"{path}: unavailable: {name!r}: no raw table {table!r}"
                          f"{_did_you_mean(table, RAW_TABLES)}")
    columns = UNAVAILABLE_COLUMNS.get(table, ())
    if column not in columns:
        known = sorted(f"{t}.{c}" for t, cs in UNAVAILABLE_COLUMNS.items() for c in cs)
        raise ConfigError(f"{path}: unavailable: {name!r}: only these columns can be declared "
                          f"unavailable: {', '.join(known)}"
                          f"{_did_you_mean(name.lower(), known)}")


def _did_you_mean(word: str, options) -> str:
    close = difflib.get_close_matches(str(word).lower(), [str(o).lower() for o in options],
                                      n=1, cutoff=0.5)
    if not close:
        return ""
    original = {str(o).lower(): str(o) for o in options}[close[0]]
    return f" (did you mean {original}?)"


# -- finding tables and columns -----------------------------------------------------

@dataclass(frozen=True)
class ResolvedSource:
    """What the raw-file pre-check found for one build."""

    files: dict[str, Path]
    """Raw table -> file of the data folder (declared-unavailable tables excluded)."""
    columns: dict[str, dict[str, str | None]]
    """Raw table -> staging name -> the header found (None: optional and absent)."""
    unavailable: dict[str, str]
    """Raw table -> why it counts as unavailable (declared, or no rows)."""


def find_table_file(data_dir: Path, table: str) -> Path | None:
    """Return the file of a raw table in data_dir, matching its name without case."""
    # Without case or underscores: Data Loader's LeadHistory.csv and
    # Fivetran's lead_history.csv are one table (issue #19).
    wanted = {_key(table) + suffix for suffix in FILE_SUFFIXES}
    found = sorted(path for path in data_dir.iterdir()
                   if path.is_file() and _key(path.stem) + path.suffix.lower() in wanted)
    return found[0] if found else None


def resolve_columns(path: Path, table: Table, headers: list[str],
                    settings: dict) -> dict[str, str | None]:
    """Return staging name -> normalised header for one file; all missing columns in one error.

    headers are the file's own spellings (for the message); the clean copy dbt
    reads has them normalised (generator.raw_input.normalise_name).
    """
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(_key(header), header)
    found: dict[str, str | None] = {}
    missing: list[str] = []
    for column in table.columns:
        spellings = column.spellings
        if column.setting is not None:
            configured = settings.get(column.setting)
            # A setting left empty means the org has no such field.
            spellings = (str(configured),) if configured else ()
        match = next((by_key[_key(s)] for s in spellings if _key(s) in by_key), None)
        if match is None and column.required and spellings:
            hint = _closest(spellings, headers)
            missing.append(f"{spellings[0]!r}" + (f" (did you mean {hint}?)" if hint else "")
                           + (f" (set {column.setting} in {SETTINGS_NAME} if your org "
                              "names it differently)" if column.setting else ""))
        found[column.name] = normalise_name(match) if match else None
    if missing:
        raise ConfigError(
            f"{path}: missing required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; found columns: {', '.join(headers) or 'none'}")
    return found


def _closest(spellings: tuple[str, ...], headers: list[str]) -> str | None:
    """Return the header most like any spelling, as the file writes it."""
    keys = {_key(header): header for header in headers}
    for spelling in spellings:
        close = difflib.get_close_matches(_key(spelling), list(keys), n=1, cutoff=0.6)
        if close:
            return keys[close[0]]
    return None


def header_only_file(table: Table, out_dir: Path) -> tuple[Path, dict[str, str | None]]:
    """Write a header-only CSV for a table the team does not have, so the models build.

    Its columns are the staging names themselves; returns the file and the
    staging name -> header map.
    """
    path = out_dir / f"{table.name}.unavailable.csv"
    names = [column.name for column in table.columns]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(names)
    return path, {name: name for name in names}
