"""The build's settings from the command line: options over the project's settings,
with the inputs checked before anything slow runs (issue #11)."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from generator.commands.demo_data import DEMO_AS_OF
from generator.exceptions import ConfigError
from generator.i18n import SiteLocale
from generator.inputs.check_cache import CheckCache
from generator.inputs.precheck import resolve_raw_files, resolve_source_files
from generator.inputs.reference_seeds import check_reference
from generator.inputs.source_settings import (
    SETTINGS_NAME,
    SourceSettings,
    load_settings,
    settings_path,
)
from generator.inputs.source_tables import missing_inputs
from generator.settings.as_of import agreement_time_zones, last_complete_day, parse_as_of
from generator.settings.build_config import BuildConfig, input_cache_dir
from generator.settings.dbt_package import site_sources
from generator.settings.language import site_settings
from generator.settings.profiles import Target, resolve_target
from generator.settings.project import find_project, project_kpi_models, project_vars
from generator.settings.settings_file import ProjectSettings, read_settings
from generator.site.mkdocs import check_out_dir

log = logging.getLogger(__name__)


def make_config(
    *,
    data: str | None = None,
    as_of: str | None = None,
    out: str | None = None,
    project_dir: Path | str | None = None,
    work: str | None = None,
    source: str | None = None,
    unit_tests: bool = False,
    memory_limit: str | None = None,
    target: str | None = None,
    locale: str | None = None,
    currency: str | None = None,
) -> BuildConfig:
    """Return a validated BuildConfig from command-line style arguments.

    An argument left out (None) takes the project's sla-report.yml value, else
    the default: build, serve and a hint printed by either read the same file.
    """
    root = find_project(project_dir)
    options = read_settings(root).overridden(
        data=data,
        source=source,
        as_of=as_of,
        out=out,
        target=target,
        memory_limit=memory_limit,
        locale=locale,
        currency=currency,
    )
    chosen = _target(root, target, options)
    out_dir, work_dir, sources = _site_folders(root, options, work)
    data_dir = options.data
    last_complete, default_as_of = _as_of_defaults(sources, data_dir, chosen)
    settings, (raw_files, columns, unavailable) = _source_inputs(
        root, data_dir, options.source, chosen, input_cache_dir(work_dir), sources == root
    )
    language = _language(sources, options, given=bool(locale or currency))
    return BuildConfig(
        locale=language.code,
        currency=language.currency,
        project_dir=root,
        sources_dir=None if sources == root else sources,
        out_dir=out_dir,
        work_dir=work_dir,
        as_of=parse_as_of(options.as_of, default_as_of, last_complete),
        data_dir=data_dir,
        raw_files=raw_files,
        raw_hashes=CheckCache(input_cache_dir(work_dir)).known_hashes(),
        source=settings.source,
        source_settings=settings.settings,
        source_columns=columns,
        unavailable=unavailable,
        missing_inputs=missing_inputs(settings.source, unavailable),
        attribution=settings.attribution,
        crm_links=options.crm_links,
        unit_tests=unit_tests,
        memory_limit=options.memory_limit,
        target=chosen,
    )


def _as_of_defaults(
    sources: Path, data_dir: Path | None, chosen: Target
) -> tuple[tuple[date, str], date]:
    """Return the last complete local day (with its zone) and the as-of day to default to."""
    last_complete = last_complete_day(agreement_time_zones(sources))
    # The demo's day for the demo seeds; a team's own data (files or a
    # warehouse) is evaluated as of the last complete day.
    default_as_of = DEMO_AS_OF if data_dir is None and not chosen.is_warehouse else last_complete[0]
    return last_complete, default_as_of


def _language(sources: Path, options: ProjectSettings, given: bool) -> SiteLocale:
    """Return the site's locale; `given`: --locale or --currency was on the command line."""
    # The file's path names where a bad locale came from, unless the option gave it.
    return site_settings(sources, options.locale, options.currency, None if given else options.path)


def _site_folders(
    root: Path, options: ProjectSettings, work: str | None
) -> tuple[Path, Path, Path]:
    """Return the published site's folder, the work folder and the site's sources, checked."""
    out_dir = options.out or root / "build" / "site"
    check_out_dir(out_dir)
    work_dir = Path(work).resolve() if work else out_dir.parent / f".{out_dir.name}-work"
    # Issue #22: in a project that installs sla_report as a package, the
    # site, reference seeds and KPI YAML are the package's under its own.
    sources = site_sources(root, work_dir)
    check_reference(sources, project_kpi_models(project_vars(sources)))
    return out_dir, work_dir, sources


def _source_inputs(
    root: Path,
    data_dir: Path | None,
    source: str | None,
    chosen: Target,
    cache_dir: Path,
    own_project: bool,
):
    """Return the source's settings and its checked raw files, columns and unavailable tables.

    The checks that passed are kept in cache_dir (the work folder's) between
    builds. `own_project`: this project's demo is built when no data is given
    (not a project that installs sla_report as a package).
    """
    settings = load_settings(settings_path(root, data_dir), source)
    if data_dir is None and settings.source != "contract" and not chosen.is_warehouse:
        raise ConfigError(
            f"--source {settings.source} reads an export: pass --data DIR, the "
            "folder of its raw tables (the demo is in the contract's layout)"
        )
    raw_files, columns, unavailable = _check_inputs(data_dir, settings, chosen, cache_dir)
    if data_dir is None and own_project and not chosen.is_warehouse:
        raw_files = demo_raw_files(root, settings, cache_dir)
    return settings, (raw_files, columns, unavailable)


def _target(root: Path, given: str | None, options: ProjectSettings) -> Target:
    """Return the target to build on; files (--data) are read by embedded DuckDB only."""
    chosen = resolve_target(root, given, options.target)
    if chosen.is_warehouse and options.data:
        raise ConfigError(
            f"--data reads raw files through embedded DuckDB; target {chosen.name} is a "
            f"{chosen.type} warehouse. Load the files into it first: sla-report load "
            f"--target {chosen.name} --data {options.data}, then build with --target "
            f"{chosen.name}"
        )
    return chosen


def demo_raw_files(
    root: Path, settings: SourceSettings, cache_dir: Path | None = None
) -> dict[str, Path]:
    """Return the demo's raw tables (seeds/raw) as files, checked like a team's --data files.

    Issue #23: the demo reads its raw tables the way every team's build
    does, so they are no dbt seeds (each dbt node costs ~40 ms). dbt reads
    the files themselves, not the check's clean copies: those live in a
    folder made per process, and a path that changed every build would
    change dbt's vars, and with them its partial parsing (the rebuild
    planner compares raw files by content). The demo's files are written
    clean (`sla-report demo-data`), so both read the same. The check itself
    is kept in cache_dir between builds, like a team's.
    """
    folder = (root / "seeds" / "raw").resolve()
    if settings.source != "contract" or not folder.is_dir():
        return {}
    checked = resolve_raw_files(folder, cache_dir=cache_dir)
    return {
        table: folder / f"{table}.csv" if (folder / f"{table}.csv").is_file() else path
        for table, path in checked.items()
    }


def _check_inputs(
    data_dir: Path | None, settings: SourceSettings, chosen: Target, cache_dir: Path | None = None
) -> tuple[dict[str, Path], dict[str, dict[str, str | None]], dict[str, str]]:
    """Return the checked raw files, the headers found per table, and what the team lacks.

    Each input the team lacks (declared unavailable, a file without rows, a
    CRM without proposal dates) is logged once: its KPIs show no data.
    """
    unavailable: dict[str, str] = {}
    columns: dict[str, dict[str, str | None]] = {}
    if data_dir is None:
        raw_files: dict[str, Path] = {}
    elif settings.source == "contract":
        tables = tuple(name for name in settings.unavailable if "." not in name)
        raw_files = resolve_raw_files(data_dir, tables, unavailable, cache_dir)
        unavailable.update(
            {name: f"declared unavailable in {SETTINGS_NAME}" for name in settings.unavailable}
        )
    else:
        resolved = resolve_source_files(data_dir, settings, cache_dir)
        raw_files, columns, unavailable = resolved.files, resolved.columns, resolved.unavailable
    if data_dir is None and chosen.is_warehouse and settings.source != "contract":
        unavailable.update(
            {name: f"declared unavailable in {SETTINGS_NAME}" for name in settings.unavailable}
        )
    if settings.source != "contract" and not settings.settings.get("proposal_date_field"):
        # Neither CRM has a standard proposal date: without one, proposals are
        # not measured (no data), never counted as 0.
        unavailable["opportunities.proposal_sent_at"] = (
            "HubSpot deals have no proposal date"
            if settings.source == "hubspot"
            else "no proposal_date_field is set"
        )
    for table, why in sorted(unavailable.items()):
        log.warning("%s: %s; the KPIs that need it show no data", table, why)
    return raw_files, columns, unavailable
