"""The org's choices about its CRM: crm_source.yml, read and checked (issue #9).

See crm_source.example.yml: the custom field holding the MQL date, the
statuses that mean disqualified, which users are marketing, which raw tables
the team does not have (declared unavailable, see macros/inputs.sql), how
marketing-sourced is decided (issue #19) and the CRM's lead links (issue
#20). Every key is checked, with the closest known name on a typo.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.exceptions import ConfigError
from generator.inputs.raw_columns import CHANNELS, RAW_TABLES
from generator.inputs.source_tables import SOURCE_TABLES, SOURCES, UNAVAILABLE_COLUMNS

SETTINGS_NAME = "crm_source.yml"


# How marketing-sourced is decided (issue #19, macros/attribution.sql).
ATTRIBUTION_RULES = ("mql_before_opportunity", "original_source", "any_lead")


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
            "Web": "organic_search",
            "Advertisement": "paid_search",
            "Phone Inquiry": "direct",
            "Partner Referral": "referral",
            "Employee Referral": "referral",
            "External Referral": "referral",
            "Partner": "referral",
            "Word of mouth": "referral",
            "Trade Show": "events",
            "Seminar - Internal": "events",
            "Seminar - Partner": "events",
            "Purchased List": "other",
            "Other": "other",
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
            "ORGANIC_SEARCH": "organic_search",
            "PAID_SEARCH": "paid_search",
            "PAID_SOCIAL": "social",
            "SOCIAL_MEDIA": "social",
            "EMAIL_MARKETING": "email",
            "REFERRALS": "referral",
            "DIRECT_TRAFFIC": "direct",
            "OFFLINE": "other",
            "OTHER_CAMPAIGNS": "other",
            "AI_REFERRALS": "referral",
        },
    },
    "contract": {},
}


# `pull:` is read and checked by `sla-report pull` (generator/inputs/pull/settings.py).
_TOP_KEYS = {"source", "unavailable", "attribution", "pull", *SOURCES}


_LIST_KEYS = {
    "disqualified_statuses",
    "automated_task_subtypes",
    "marketing_user_ids",
    "marketing_role_ids",
    "disqualified_lead_statuses",
    "automated_engagement_sources",
    "marketing_owner_ids",
    "won_stage_labels",
    "lost_stage_labels",
}


_MAP_KEYS = {"lead_source_channels", "analytics_source_channels"}


DATE_FORMATS = ("MM/DD/YYYY", "DD/MM/YYYY")
"""salesforce.date_format: the order of month and day in a report export (any separator)."""


_CHOICES = {"date_format": DATE_FORMATS, "decimal_separator": (".", ",")}


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
        if "crm_links" in unknown:
            raise ConfigError(
                f"{path}: crm_links belongs in the project's sla-report.yml "
                "(the project's settings, issue #22), not in the CRM's settings"
            )
        if unknown:
            raise ConfigError(
                f"{path}: unknown setting {unknown[0]!r}{did_you_mean(unknown[0], _TOP_KEYS)}"
            )
    chosen = source or document.get("source") or "contract"
    if chosen not in SOURCES:
        raise ConfigError(
            f"{path}: source {chosen!r} is not one of {', '.join(SOURCES)}"
            f"{did_you_mean(chosen, SOURCES)}"
        )
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
            raise ConfigError(
                f"{path}: unavailable: {name!r} is not a raw table of the "
                f"{chosen} source{did_you_mean(str(name), tables)}"
            )
        if not table.optional:
            raise ConfigError(
                f"{path}: unavailable: {name!r} cannot be unavailable: every report needs it"
            )
    return SourceSettings(
        chosen,
        settings,
        tuple(str(n).lower() for n in unavailable),
        path,
        _attribution(path, document.get("attribution")),
    )


def _attribution(path: Path | None, given) -> dict | None:
    """Return the attribution setting checked: a rule name, or {rule, channels}."""
    if given is None:
        return None
    if isinstance(given, str):
        given = {"rule": given}
    if not isinstance(given, dict) or set(given) - {"rule", "channels"}:
        raise ConfigError(
            f"{path}: attribution: expected a rule ({', '.join(ATTRIBUTION_RULES)})"
            " or a mapping with `rule` and `channels`"
        )
    rule = given.get("rule") or ATTRIBUTION_RULES[0]
    if rule not in ATTRIBUTION_RULES:
        hint = did_you_mean(str(rule), ATTRIBUTION_RULES)
        raise ConfigError(
            f"{path}: attribution: {rule!r} is not one of {', '.join(ATTRIBUTION_RULES)}{hint}"
        )
    channels = given.get("channels") or []
    if not isinstance(channels, list) or [c for c in channels if c not in CHANNELS]:
        bad = [c for c in channels if c not in CHANNELS] if isinstance(channels, list) else []
        raise ConfigError(
            f"{path}: attribution.channels: expected a list of channels "
            f"({', '.join(CHANNELS)})" + (f", not {bad[0]!r}" if bad else "")
        )
    if rule == "original_source" and not channels:
        raise ConfigError(
            f"{path}: attribution: original_source needs `channels`, the "
            "channels whose leads count as marketing-sourced"
        )
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
            raise ConfigError(
                f"{path}: {source}: unknown setting {name!r}{did_you_mean(name, settings)}"
            )
        if name in _LIST_KEYS:
            if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
                raise ConfigError(f"{where}: expected a list of values, like [a, b]")
            value = [str(v) for v in value]
        elif name in _MAP_KEYS:
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: expected a mapping of CRM value: channel")
            bad = [v for v in value.values() if v not in CHANNELS]
            if bad:
                raise ConfigError(f"{where}: {bad[0]!r} is not a channel ({', '.join(CHANNELS)})")
            value = {str(k): str(v) for k, v in value.items()}
        elif name in _CHOICES:
            if value is not None and value not in _CHOICES[name]:
                raise ConfigError(f"{where}: {value!r} is not one of {', '.join(_CHOICES[name])}")
        elif value is not None and not isinstance(value, str):
            raise ConfigError(f"{where}: expected a field name")
        settings[name] = value
    return settings


def _check_unavailable_column(path: Path | None, name: str) -> None:
    """Refuse a declared-unavailable `table.column` the contract does not have."""
    table, _, column = name.lower().partition(".")
    if table not in RAW_TABLES:
        raise ConfigError(
            f"{path}: unavailable: {name!r}: no raw table {table!r}"
            f"{did_you_mean(table, RAW_TABLES)}"
        )
    columns = UNAVAILABLE_COLUMNS.get(table, ())
    if column not in columns:
        known = sorted(f"{t}.{c}" for t, cs in UNAVAILABLE_COLUMNS.items() for c in cs)
        raise ConfigError(
            f"{path}: unavailable: {name!r}: only these columns can be declared "
            f"unavailable: {', '.join(known)}"
            f"{did_you_mean(name.lower(), known)}"
        )


def did_you_mean(word: str, options) -> str:
    close = difflib.get_close_matches(
        str(word).lower(), [str(o).lower() for o in options], n=1, cutoff=0.5
    )
    if not close:
        return ""
    original = {str(o).lower(): str(o) for o in options}[close[0]]
    return f" (did you mean {original}?)"
