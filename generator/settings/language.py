"""The site's language and currency: --locale/--currency or sla-report.yml, else
mkdocs.yml's `extra` (projects made before sla-report.yml), else en and USD."""

from __future__ import annotations

from pathlib import Path

from generator.exceptions import ConfigError
from generator.i18n import SiteLocale, site_locale
from generator.settings.project import mkdocs_config


def site_settings(
    root: Path,
    locale: str | None = None,
    currency: str | None = None,
    settings_file: Path | None = None,
) -> SiteLocale:
    """Return the site's locale: the values given (the command line, or sla-report.yml
    when settings_file names it), else `extra.locale`/`extra.currency` in mkdocs.yml,
    else English and US dollars (issue #14).

    Not dbt's vars: the language is how the figures are written, not what they
    are, so changing it re-renders the pages without rebuilding a model or
    touching a KPI's definition hash.
    """
    extra: dict = {}
    if not (locale and currency):
        try:
            extra = mkdocs_config(root).get("extra") or {}
        except ConfigError:
            extra = {}  # MkDocs reports a broken mkdocs.yml with more context
    where = (
        (str(settings_file) if settings_file else "--locale/--currency")
        if (locale or currency)
        else "mkdocs.yml extra"
    )
    return site_locale(locale or extra.get("locale"), currency or extra.get("currency"), where)
