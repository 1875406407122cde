"""The site's language and currency (issue #14): one setting, CLDR formats, gettext catalogs.

`extra.locale` and `extra.currency` in mkdocs.yml (or `sla-report build
--locale th --currency THB`) choose them. Numbers, dates and amounts are
formatted by Babel from CLDR data (generator.formats); every word the
generator writes goes through gettext, from the catalogs in
generator/locale/<locale>/LC_MESSAGES/messages.po. The catalogs are
compiled in memory when a build first needs them: no manual step, and a
`.po` edited in the repository is what the next build uses.

The locale in force is a context variable set around the page rendering
(`use`), so the Jinja environment, the filters and the page dataclasses
stay locale-free and the compiled templates are shared by every locale.
"""

from __future__ import annotations

import gettext as gettext_module
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import is_currency

from generator.exceptions import ConfigError

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
SOURCE_LOCALE = "en"
"""The language the templates and the code are written in: it needs no catalog."""
CATALOG_LOCALES = ("th", "pt_BR")
"""The locales whose catalogs must be complete (tests/test_i18n.py checks them)."""
DEFAULT_CURRENCY = "USD"


@dataclass(frozen=True)
class SiteLocale:
    """A language with its CLDR data, and the currency the amounts are in."""

    code: str
    """Babel's name of the locale: en, th, pt_BR."""
    currency: str
    """ISO 4217 code of every amount in the data: USD, THB, BRL (no conversion is made)."""

    @property
    def babel(self) -> Locale:
        return _babel_locale(self.code)

    @property
    def language_tag(self) -> str:
        """Return the BCP 47 tag (pt-BR), as HTML's lang and Material's theme.language use."""
        return self.code.replace("_", "-")

    @property
    def theme_language(self) -> str:
        """Return Material's interface language for this locale (th, pt-BR), else English."""
        return theme_language(self.code)

    def gettext(self, message: str) -> str:
        return catalog(self.code).gettext(message) if message else message

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return catalog(self.code).ngettext(singular, plural, count)


def site_locale(
    code: str | None = None, currency: str | None = None, where: str = "mkdocs.yml extra"
) -> SiteLocale:
    """Return a validated SiteLocale; an unknown locale or currency is a ConfigError."""
    code = str(code or SOURCE_LOCALE).strip()
    currency = str(currency or DEFAULT_CURRENCY).strip().upper()
    try:
        parsed = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as error:
        raise ConfigError(
            f"{where}: locale {code!r} is not a locale Babel knows (e.g. en, th, pt_BR)"
        ) from error
    if not is_currency(currency):
        raise ConfigError(
            f"{where}: currency {currency!r} is not an ISO 4217 code (e.g. USD, THB, BRL)"
        )
    found = str(parsed)
    if found != SOURCE_LOCALE and not _catalog_path(found).is_file():
        log.warning(
            "locale %s: no message catalog (generator/locale/%s/LC_MESSAGES/%s.po); "
            "numbers and dates follow %s, words stay English",
            found,
            found,
            DOMAIN,
            found,
        )
    return SiteLocale(found, currency)


@cache
def _babel_locale(code: str) -> Locale:
    return Locale.parse(code)


def theme_language(code: str) -> str:
    """Return the Material for MkDocs language matching a Babel locale, English if none."""
    from importlib.resources import files

    languages = files("material") / "templates" / "partials" / "languages"
    parsed = _babel_locale(code)
    for name in (
        f"{parsed.language}-{parsed.territory}" if parsed.territory else None,
        parsed.language,
    ):
        if name and (languages / f"{name}.html").is_file():
            return name
    return "en"


def _catalog_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def catalog(code: str) -> gettext_module.NullTranslations:
    """Return the compiled catalog of a locale (the source language needs none).

    Compiled in memory from the `.po` (Babel's read_po and write_mo): fuzzy
    entries are left out, as msgfmt does, so an unchecked translation never
    reaches a page.
    """
    path = _catalog_path(code)
    if code == SOURCE_LOCALE or not path.is_file():
        return gettext_module.NullTranslations()
    with path.open("rb") as handle:
        messages = read_po(handle, locale=code)
    buffer = io.BytesIO()
    write_mo(buffer, messages, use_fuzzy=False)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


_DEFAULT = SiteLocale(SOURCE_LOCALE, DEFAULT_CURRENCY)
_active: ContextVar[SiteLocale | None] = ContextVar("site_locale", default=None)


def current() -> SiteLocale:
    """Return the locale pages are being written in (English and dollars outside a build)."""
    return _active.get() or _DEFAULT


@contextmanager
def use(locale: SiteLocale) -> Iterator[SiteLocale]:
    """Write everything inside the block in this locale."""
    token = _active.set(locale)
    try:
        yield locale
    finally:
        _active.reset(token)


def gettext(message: str) -> str:
    """Return the message in the current locale."""
    return current().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """Return the singular or plural message for count, in the current locale."""
    return current().ngettext(singular, plural, count)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 (the name pybabel extracts by convention)
    """Mark a message for extraction; it is translated where it is shown."""
    return message
