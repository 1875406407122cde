"""The project's own settings: `sla-report.yml` at the project root (issue #22).

One documented, validated file holds what a project always builds with (the
data folder, the source, the as-of rule, the site's language and currency,
the output folder, the CRM link template, the memory limit, the warehouse
target, the chat notice). It is read once per command into a frozen
`ProjectSettings`; an option on the command line overrides a value for that
run only. Build, serve and notify read the same file, so a command printed as
a hint after a build does what it says.

Precedence, highest first: the command line, the environment variable the
option names (SLA_REPORT_TARGET, SLA_REPORT_PAGES_URL), this file, then the
older places a project may still use (mkdocs.yml `extra.locale`/`currency`,
crm_source.yml `source:`), then the defaults.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path

import yaml

from generator.exceptions import ConfigError

SETTINGS_FILE = "sla-report.yml"
SOURCES = ("contract", "salesforce", "hubspot")
CHAT_FORMATS = ("slack", "teams", "google-chat")
MEMORY_LIMIT = re.compile(
    r"\s*(?:\d+(?:\.\d+)?\s*(?:[KMGT]i?B|B)|\d+(?:\.\d+)?%)\s*", re.IGNORECASE
)
"""DuckDB's sizes ('8GB', '500MB', '8GiB') or a share of RAM ('50%')."""
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WEB_ADDRESS = re.compile(r"https?://[^\s<>|]+")


@dataclass(frozen=True)
class NotifySettings:
    """`notify:`, the chat notice's defaults (the webhook's address is never here)."""

    site_url: str | None = None
    webhook_env: str | None = None
    format: str | None = None


@dataclass(frozen=True)
class ProjectSettings:
    """The settings a command runs with: the file's, with this run's options on top."""

    path: Path | None = None
    """The file read, None when the project has none."""
    data: Path | None = None
    source: str | None = None
    as_of: str | None = None
    """A day (YYYY-MM-DD) or 'latest', the last complete local day."""
    out: Path | None = None
    locale: str | None = None
    currency: str | None = None
    target: str | None = None
    memory_limit: str | None = None
    crm_links: dict | None = None
    notify: NotifySettings = field(default_factory=NotifySettings)

    def overridden(self, **given) -> ProjectSettings:
        """Return these settings with the options given on the command line on top.

        Paths given on the command line are relative to the current directory,
        the file's to the project root; None means "not given".
        """
        chosen = {name: value for name, value in given.items() if value is not None}
        for name in ("data", "out"):
            if name in chosen:
                chosen[name] = Path(chosen[name]).resolve()
        return replace(self, **chosen)


SETTING_NAMES = tuple(f.name for f in fields(ProjectSettings) if f.name != "path")
"""The keys of sla-report.yml, in the order the documentation lists them."""


def _did_you_mean(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _text(where: str, value, choices: tuple[str, ...] | None = None) -> str:
    if (
        not isinstance(value, str | int | float)
        or isinstance(value, bool)
        or not str(value).strip()
    ):
        raise ConfigError(f"{where}: expected a value, not {value!r}")
    text = str(value).strip()
    if choices and text.lower() not in choices:
        raise ConfigError(
            f"{where}: {text!r} is not one of {', '.join(choices)}"
            f"{_did_you_mean(text.lower(), list(choices))}"
        )
    return text.lower() if choices else text


def _as_of(where: str, value) -> str:
    text = _text(where, value)
    if text != "latest":
        try:
            date.fromisoformat(text)
        except ValueError:
            raise ConfigError(
                f"{where}: expected a day like 2015-10-15 or 'latest' (the "
                f"last complete local day), not {text!r}"
            ) from None
    return text


def is_memory_limit(text: str) -> bool:
    """True for a size DuckDB takes ('8GB', '500MB', '8GiB') or a share of RAM ('50%')."""
    number = re.match(r"\s*(\d+(?:\.\d+)?)", text)
    return bool(
        MEMORY_LIMIT.fullmatch(text)
        and number
        and float(number.group(1)) > 0
        and not (text.strip().endswith("%") and float(number.group(1)) > 100)
    )


def _memory_limit(where: str, value) -> str:
    text = _text(where, value)
    if not is_memory_limit(text):
        raise ConfigError(f"{where}: {text!r} is not a size like 8GB, 500MB or 50%")
    return text


def _folder(where: str, value, root: Path) -> Path:
    return (root / _text(where, value)).resolve()


def _notify(where: str, value) -> NotifySettings:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a mapping (site_url, webhook_env, format)")
    known = [f.name for f in fields(NotifySettings)]
    for key in value:
        if key not in known:
            raise ConfigError(
                f"{where}.{key}: unknown setting{_did_you_mean(str(key), known)}; "
                f"known: {', '.join(known)}"
            )
    site_url = value.get("site_url")
    if site_url is not None and not _WEB_ADDRESS.fullmatch(_text(f"{where}.site_url", site_url)):
        raise ConfigError(f"{where}.site_url: {site_url!r} is not an http:// or https:// address")
    webhook_env = value.get("webhook_env")
    if webhook_env is not None and not _VARIABLE.fullmatch(str(webhook_env)):
        raise ConfigError(
            f"{where}.webhook_env: {webhook_env!r} is not an environment "
            "variable's name (the webhook's address itself never goes in a file)"
        )
    chat = value.get("format")
    return NotifySettings(
        site_url=str(site_url) if site_url is not None else None,
        webhook_env=str(webhook_env) if webhook_env is not None else None,
        format=_text(f"{where}.format", chat, CHAT_FORMATS) if chat is not None else None,
    )


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
        raise ConfigError(
            f"{where}.lead: expected an https:// address with {{lead_id}}, not {template!r}"
        )
    values = {str(key): str(value) for key, value in given.items() if key != "lead"}
    for key, value in values.items():
        if not _LINK_VALUE.fullmatch(value):
            raise ConfigError(
                f"{where}.{key}: {value!r} is not an id or a host name "
                "(letters, digits, '.' and '-')"
            )
    try:
        template.format(lead_id="x", **values)
    except KeyError as error:
        raise ConfigError(
            f"{where}.lead: {{{error.args[0]}}} has no value: add "
            f"`{error.args[0]}: ...` under crm_links"
        ) from None
    except (ValueError, IndexError) as error:
        raise ConfigError(f"{where}.lead: not a template ({error})") from None
    return {"lead": template, **values}


def _parsers(root: Path, path: Path) -> dict:
    """Return each top-level key's check, which turns the file's value into the setting's."""
    return {
        "data": lambda where, value: _folder(where, value, root),
        "source": lambda where, value: _text(where, value, SOURCES),
        "as_of": _as_of,
        "out": lambda where, value: _folder(where, value, root),
        "locale": _text,
        "currency": lambda where, value: _text(where, value).upper(),
        "target": _text,
        "memory_limit": _memory_limit,
        "crm_links": lambda where, value: crm_links(path, value),
        "notify": _notify,
    }


class _Loader(yaml.SafeLoader):
    """YAML without its date type: `as_of: 2015-02-30` is our error to report, and a
    day is kept as written."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_settings(root: Path) -> ProjectSettings:
    """Return the project's settings from `sla-report.yml`, or the defaults when it has none.

    Every key is checked here, so a typo or a bad value stops the command with
    the file, the key and what was expected (exit 3), before anything runs.
    """
    path = root / SETTINGS_FILE
    if not path.is_file():
        return ProjectSettings()
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: not readable YAML ({error})") from None
    if document is None:
        return ProjectSettings(path=path)
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: expected a mapping of settings (data:, source:, ...)")
    parsers = _parsers(root, path)
    values = {}
    for key, value in document.items():
        name = str(key)
        if name not in parsers:
            raise ConfigError(
                f"{path}: unknown setting {name!r}"
                f"{_did_you_mean(name, list(parsers))}; known: "
                f"{', '.join(parsers)}"
            )
        if value is not None:
            values[name] = parsers[name](f"{path}: {name}", value)
    return ProjectSettings(path=path, **values)
