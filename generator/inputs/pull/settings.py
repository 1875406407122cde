"""The pull's settings: the `pull:` section of crm_source.yml and the token, read once.

```yaml
pull:
  data: crm-data                 # the folder pull writes and `build --data` reads
  hubspot:
    base_url: https://api.hubapi.com
    token_env: HUBSPOT_ACCESS_TOKEN
  salesforce:
    base_url: https://MyDomainName.my.salesforce.com
    api_version: "62.0"
    token_env: SALESFORCE_ACCESS_TOKEN
```

The token is never in the file: the file names the environment variable
that holds it (a CI secret), and the value lives in a `Secret`, whose repr
and str never show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from generator.exceptions import ConfigError
from generator.inputs.source_settings import (
    SETTINGS_NAME,
    did_you_mean,
    load_settings,
    read_document,
    settings_path,
)
from generator.settings.environment import read_named

SYSTEMS = ("hubspot", "salesforce")

# Lifecycle stages of HubSpot's default contact pipeline; a portal's custom
# stages have numeric ids (Settings > Objects > Contacts > Lifecycle stage).
DEFAULT_LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)


class Secret:
    """A token: usable by the HTTP client, never printed."""

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the token itself (only the Authorization header calls this)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@dataclass(frozen=True)
class HubSpotSettings:
    """Where the portal's API is and what to fetch from it."""

    base_url: str = "https://api.hubapi.com"
    token_env: str = "HUBSPOT_ACCESS_TOKEN"
    lifecycle_stages: tuple[str, ...] = DEFAULT_LIFECYCLE_STAGES
    """Stage ids whose date-entered properties are pulled (both families)."""
    contact_properties: tuple[str, ...] = ()
    """Extra contact properties to pull (the org's own MQL fields, say)."""
    deal_properties: tuple[str, ...] = ()
    history_properties: tuple[str, ...] = ("hubspot_owner_id", "lifecyclestage")
    """Contact properties whose every past value is pulled (owner at MQL time)."""
    page_size: int = 100
    """Records per page of the objects list (HubSpot allows 100)."""
    search_page_size: int = 200
    """Records per page of the search API (HubSpot allows 200)."""
    batch_size: int = 100
    """Record ids per associations batch read."""


@dataclass(frozen=True)
class SalesforceSettings:
    """Where the org's API is and what to fetch from it."""

    base_url: str = ""
    api_version: str = "62.0"
    token_env: str = "SALESFORCE_ACCESS_TOKEN"
    client_id_env: str = "SALESFORCE_CLIENT_ID"
    client_secret_env: str = "SALESFORCE_CLIENT_SECRET"
    bulk_objects: tuple[str, ...] = ("Lead", "LeadHistory", "Task", "Event")
    """Objects read with Bulk API 2.0 query jobs; the others with REST queryAll."""
    lead_history_fields: tuple[str, ...] = ("Owner", "Status", "created")
    """LeadHistory.Field values pulled (Owner: the owner at MQL time)."""
    poll_seconds: float = 2.0
    """How often a Bulk API 2.0 job's state is asked for."""
    max_job_seconds: float = 3600.0
    """A bulk job still running after this long fails the pull."""
    org_fields: dict = field(default_factory=dict)
    """The org's field choices from crm_source.yml (mql_date_field, ...)."""


@dataclass(frozen=True)
class PullSettings:
    """Everything one `sla-report pull` needs, validated."""

    system: str
    data_dir: Path
    """The folder the raw tables go to (and `build --data` reads)."""
    token: Secret | None
    """The access token from the environment (None: Salesforce client credentials)."""
    client_credentials: tuple[str, Secret] | None = None
    """Salesforce connected app id and secret, when no access token is given."""
    timeout_seconds: float = 60.0
    max_attempts: int = 5
    backoff_seconds: float = 1.0
    max_wait_seconds: float = 300.0
    hubspot: HubSpotSettings = HubSpotSettings()
    salesforce: SalesforceSettings = SalesforceSettings()

    @property
    def base_url(self) -> str:
        """Return the API base URL of the system pulled."""
        return getattr(self, self.system).base_url.rstrip("/")


_NUMBERS = {
    "timeout_seconds": float,
    "max_attempts": int,
    "backoff_seconds": float,
    "max_wait_seconds": float,
}
_TOP = {"data", "hubspot", "salesforce", *_NUMBERS}


def load_pull_settings(
    project_dir: Path, system: str, data: str | None = None, environ: dict[str, str] | None = None
) -> PullSettings:
    """Return the validated settings of a pull from crm_source.yml, --data and the environment."""
    path = project_dir / SETTINGS_NAME
    document = read_document(path) if path.is_file() else {}
    section = document.get("pull") or {}
    where = f"{path}: pull"
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: expected a mapping of settings")
    _check_keys(where, section, _TOP)
    folder = data or section.get("data")
    if not folder:
        raise ConfigError(
            f"{where}: no data folder: set `pull: {{data: DIR}}` in "
            f"{SETTINGS_NAME} or pass --data DIR"
        )
    numbers = {
        name: _number(where, name, section[name], kind)
        for name, kind in _NUMBERS.items()
        if name in section
    }
    data_dir = Path(folder)
    if not data_dir.is_absolute():
        data_dir = (project_dir / data_dir) if data is None else data_dir.resolve()
    data_dir = data_dir.resolve()
    hubspot = _hubspot(where, section.get("hubspot") or {})
    # The org's fields as the build will read them: the data folder's
    # crm_source.yml wins over the project's, so both name the same fields.
    org = load_settings(
        settings_path(project_dir, data_dir if data_dir.is_dir() else None), "salesforce"
    ).settings
    salesforce = _salesforce(where, section.get("salesforce") or {}, org)
    chosen = hubspot if system == "hubspot" else salesforce
    check_url(f"{where}.{system}.base_url", chosen.base_url)
    token, credentials = _credentials(system, chosen, salesforce, environ)
    return PullSettings(
        system=system,
        data_dir=data_dir,
        token=Secret(token) if token else None,
        client_credentials=credentials,
        hubspot=hubspot,
        salesforce=salesforce,
        **numbers,
    )


def _credentials(
    system: str,
    chosen: HubSpotSettings | SalesforceSettings,
    salesforce: SalesforceSettings,
    environ: dict[str, str] | None,
) -> tuple[str, tuple[str, Secret] | None]:
    """Return the pull's token ('' if none) and a connected app's client credentials."""
    token = read_named(chosen.token_env, environ) or ""
    credentials = None
    if system == "salesforce" and not token:
        client_id = read_named(salesforce.client_id_env, environ) or ""
        secret = read_named(salesforce.client_secret_env, environ) or ""
        if client_id and secret:
            credentials = (client_id, Secret(secret))
    if not token and credentials is None:
        also = (
            f", or {salesforce.client_id_env} and {salesforce.client_secret_env} "
            "(a connected app's client credentials)"
            if system == "salesforce"
            else ""
        )
        raise ConfigError(
            f"no {system} token: set the environment variable "
            f"{chosen.token_env}{also} (in CI, from a repository secret)"
        )
    return token, credentials


def _check_keys(where: str, section: dict, known) -> None:
    for name in section:
        if name not in known:
            raise ConfigError(f"{where}: unknown setting {name!r}{did_you_mean(name, known)}")


def _number(where: str, name: str, value, kind):
    try:
        number = kind(value)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{where}.{name}: expected a number, not {value!r}") from error
    if number <= 0:
        raise ConfigError(f"{where}.{name}: must be above 0")
    return number


def check_url(where: str, url: str) -> None:
    """Refuse an address that is not an API's, or a token sent over plain http."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(
            f"{where}: expected the API's address, like "
            f"https://MyDomainName.my.salesforce.com, not {url!r}"
        )
    if parsed.scheme == "http" and parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
        # A token must never travel unencrypted: plain HTTP only for a test server.
        raise ConfigError(
            f"{where}: {url} is plain http; use https (http is for a test server on 127.0.0.1 only)"
        )


def _strings(where: str, name: str, value) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ConfigError(f"{where}.{name}: expected a list of values, like [a, b]")
    return tuple(str(v) for v in value)


def _section(where: str, given: dict, defaults) -> dict:
    if not isinstance(given, dict):
        raise ConfigError(f"{where}: expected a mapping of settings")
    known = {name for name in defaults.__dataclass_fields__ if name != "org_fields"}
    _check_keys(where, given, known)
    values: dict = {}
    for name, value in given.items():
        default = getattr(defaults, name)
        if isinstance(default, tuple):
            values[name] = _strings(where, name, value)
        elif isinstance(default, int | float) and not isinstance(default, bool):
            values[name] = _number(where, name, value, type(default))
        else:
            values[name] = str(value)
    return values


def _hubspot(where: str, given: dict) -> HubSpotSettings:
    values = _section(f"{where}.hubspot", given, HubSpotSettings())
    if "lifecycle_stages" in values:
        # The stages the staging models read are always pulled.
        values["lifecycle_stages"] = tuple(
            dict.fromkeys(
                (*values["lifecycle_stages"], "marketingqualifiedlead", "salesqualifiedlead")
            )
        )
    return HubSpotSettings(**values)


def _salesforce(where: str, given: dict, org: dict) -> SalesforceSettings:
    values = _section(f"{where}.salesforce", given, SalesforceSettings())
    return SalesforceSettings(**values, org_fields=org)
