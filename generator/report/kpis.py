"""KPI definitions discovered from dbt's manifest: a KPI is a column with meta.kpi."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from generator.dbt.lineage import column_excerpt, upstream_sources
from generator.exceptions import ConfigError
from generator.settings.project import kpi_meta

UNITS = {"count", "currency", "rate", "hours", "days"}
# The words of meta.kpi a team shows in its own language (issue #14).
TRANSLATED = ("title", "owner", "noun", "sample_noun", "maturing_noun", "definition")
TRANSLATED_KEY = re.compile(
    r"^(title|owner|noun|sample_noun|maturing_noun|definition)_"
    r"([A-Za-z]{2,3}(?:_[A-Za-z0-9]+)?)$"
)
SECTIONS = {"marketing", "handoff", "sales"}


@dataclass(frozen=True)
class KpiDefinition:
    """One KPI as the analysts defined it in SQL + YAML."""

    kpi_id: str
    title: str
    section: str
    owner: str
    unit: str
    noun: str
    """What one unit of a count is called ("MQLs"); empty for other units."""
    direction: str
    pacing: str
    definition: str
    sample_noun: str
    """What the sample of a rate or percentile counts ("matured leads", "due MQLs")."""
    model: str
    model_path: str
    raw_sql: str
    compiled_sql: str
    sql_excerpt: str = ""
    """The compiled SQL of just this column: its expression, joins and the CTEs it reads."""
    raw_tables: tuple[str, ...] = ()
    """The raw tables (dbt sources) it depends on, from the dbt graph."""
    reference_tables: tuple[str, ...] = ()
    """The reference seeds (agreements, holidays, ...) it depends on."""
    model_url: str = ""
    """Link to the model's SQL in the repository; empty when no repository URL is set."""
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    """Locale -> field -> the field in that language (meta.kpi `translations` or `title_th`)."""
    maturing_noun: str = ""
    """What a maturing cohort rate is over so far ("MQLs so far"; issue #19)."""

    def text(self, name: str, locale: str | None = None) -> str:
        """Return a field (title, owner, noun, sample_noun, definition) in a language.

        The locale in force by default; a language without its own entry falls
        back to the default text of meta.kpi (build_report warns which).
        """
        from generator import i18n

        code = locale or i18n.current().code
        for candidate in (code, code.split("_")[0]):
            value = self.translations.get(candidate, {}).get(name)
            if value:
                return value
        return getattr(self, name)

    def missing_translations(self, locale: str) -> list[str]:
        """Return the fields with a default text but no text in `locale`."""
        return [
            name
            for name in TRANSLATED
            if getattr(self, name)
            and self.text(name, locale) == getattr(self, name)
            and not self.translations.get(locale, {}).get(name)
        ]


def discover_kpis(
    manifest: dict, kpi_models: list[str], repository_url: str = ""
) -> list[KpiDefinition]:
    """Return every KPI of the given models (the `kpi_models` var), in order.

    repository_url (e.g. https://github.com/acme/sla-report/blob/main) links
    each KPI to its model file; empty means no link.
    """
    nodes = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    found: list[KpiDefinition] = []
    for model_name in kpi_models:
        node = nodes.get(model_name)
        if node is None:
            raise ConfigError(f"kpi_models names {model_name!r}, which is not a dbt model")
        for column in node["columns"].values():
            meta = kpi_meta(column)
            if meta:
                found.append(
                    _with_lineage(_definition(node, column, meta), manifest, node, repository_url)
                )
    if not found:
        raise ConfigError("no KPI found: no column of the kpi_models has meta.kpi")
    return found


def _with_lineage(
    definition: KpiDefinition, manifest: dict, node: dict, repository_url: str
) -> KpiDefinition:
    """Return the definition with its SQL excerpt, upstream tables and model link."""
    excerpt = (
        column_excerpt(definition.compiled_sql, definition.kpi_id)
        if definition.compiled_sql
        else ""
    )
    raw, reference = upstream_sources(manifest, node.get("unique_id", ""), excerpt or None)
    url = f"{repository_url.rstrip('/')}/{definition.model_path}" if repository_url else ""
    return replace(
        definition,
        sql_excerpt=excerpt,
        raw_tables=tuple(raw),
        reference_tables=tuple(reference),
        model_url=url,
    )


def _definition(node: dict, column: dict, meta: dict) -> KpiDefinition:
    where = f"{node['original_file_path']} column {column['name']!r}"
    for key in ("title", "section", "owner", "unit"):
        if not meta.get(key):
            raise ConfigError(f"{where}: meta.kpi needs {key!r}")
    if meta["unit"] not in UNITS:
        raise ConfigError(f"{where}: unit {meta['unit']!r} is not one of {sorted(UNITS)}")
    if meta["section"] not in SECTIONS:
        raise ConfigError(f"{where}: section {meta['section']!r} is not one of {sorted(SECTIONS)}")
    return KpiDefinition(
        kpi_id=column["name"],
        title=meta["title"],
        section=meta["section"],
        owner=meta["owner"],
        unit=meta["unit"],
        noun=meta.get("noun", ""),
        direction=meta.get("direction", "higher"),
        pacing=meta.get("pacing", "none"),
        definition=" ".join((column.get("description") or "").split()),
        sample_noun=str(meta.get("sample_noun", "")),
        maturing_noun=str(meta.get("maturing_noun", "")),
        model=node["name"],
        model_path=node["original_file_path"],
        raw_sql=node.get("raw_code", ""),
        compiled_sql=node.get("compiled_code") or "",
        translations=_translations(meta, where),
    )


def _translations(meta: dict, where: str) -> dict[str, dict[str, str]]:
    """Return locale -> field -> text from meta.kpi: `translations: {th: {title: ...}}`
    and the short form `title_th: ...` (the map wins where both say)."""
    found: dict[str, dict[str, str]] = {}
    for key, value in meta.items():
        match = TRANSLATED_KEY.match(str(key))
        if match and value:
            found.setdefault(match.group(2), {})[match.group(1)] = str(value)
    given = meta.get("translations") or {}
    if not isinstance(given, dict):
        raise ConfigError(f"{where}: meta.kpi.translations must map a locale to its texts")
    for locale, texts in given.items():
        if not isinstance(texts, dict):
            raise ConfigError(
                f"{where}: meta.kpi.translations.{locale} must map fields "
                "(title, owner, noun, sample_noun, definition) to texts"
            )
        for name, value in texts.items():
            if name not in TRANSLATED:
                raise ConfigError(
                    f"{where}: meta.kpi.translations.{locale}.{name}: only "
                    f"{', '.join(TRANSLATED)} can be translated"
                )
            found.setdefault(str(locale), {})[name] = " ".join(str(value).split())
    return found
