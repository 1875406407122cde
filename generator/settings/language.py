"""The site's language and currency: --locale/--currency, else mkdocs.yml's `extra`."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.i18n import SiteLocale, site_locale


def site_settings(root: Path, locale: str | None = None,
                  currency: str | None = None) -> SiteLocale:
    """Return the site's locale: --locale/--currency, else `extra.locale`/`extra.currency`
    in mkdocs.yml, else English and US dollars (issue #14).

    In mkdocs.yml, not dbt's vars: the language is how the figures are
    written, not what they are, so changing it re-renders the pages without
    rebuilding a model or touching a KPI's definition hash.
    """
    try:
        document = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"),
                             Loader=_MkDocsLoader) or {}
    except (OSError, yaml.YAMLError):
        document = {}  # MkDocs reports a broken mkdocs.yml with more context
    extra = (document.get("extra") or {}) if isinstance(document, dict) else {}
    where = "--locale/--currency" if (locale or currency) else "mkdocs.yml extra"
    return site_locale(locale or extra.get("locale"), currency or extra.get("currency"),
                       where)


class _MkDocsLoader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose `!!python/name:` and `!ENV` tags are not ours to resolve."""


_MkDocsLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_MkDocsLoader.add_multi_constructor("tag:yaml.org,2002:python/",
                                    lambda loader, suffix, node: None)
