"""The build configuration: a typed object, validated when it is made."""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import yaml

from generator.contract import FILE_SUFFIXES, OPTIONAL_TABLES, RAW_TABLES, TYPED_COLUMNS
from generator.dbt_package import site_sources
from generator.demo_data import DEMO_AS_OF
from generator.exceptions import ConfigError
from generator.exports import prepare as prepare_exports
from generator.i18n import SiteLocale, site_locale
from generator.kpis import project_kpi_models
from generator.raw_input import RawFile, broken_link, read_raw_file, scratch_dir
from generator.reference import check_reference
from generator.site import check_out_dir
from generator.sources import (
    SETTINGS_NAME,
    SOURCE_TABLES,
    ResolvedSource,
    SourceSettings,
    find_table_file,
    header_only_file,
    load_settings,
    missing_inputs,
    resolve_columns,
    settings_path,
)
from generator.targets import EMBEDDED, Target, resolve_target

log = logging.getLogger(__name__)



def project_root() -> Path:
    """Return the folder of this package's own repository (its demo project)."""
    return Path(__file__).resolve().parent.parent


def find_project(project_dir: Path | str | None = None) -> Path:
    """Return the project folder: --project-dir if given, else the current directory.

    dbt and MkDocs take the project from the current directory, and so do we
    (issue #10): inside a copy of the project, the copy is built, never the
    installed package's own folder.
    """
    if project_dir is not None:
        root = Path(project_dir).resolve()
        if not (root / "dbt_project.yml").is_file():
            raise ConfigError(f"--project-dir {root}: not an SLA Report project "
                              "(no dbt_project.yml there)")
        return root
    here = Path.cwd().resolve()
    if not (here / "dbt_project.yml").is_file():
        raise ConfigError(f"{here} is not an SLA Report project (no dbt_project.yml here): "
                          "run the command inside the project folder, or pass "
                          "--project-dir DIR")
    return here


@dataclass(frozen=True)
class BuildConfig:
    """Everything one `sla-report build` needs to know."""

    project_dir: Path
    """Folder with dbt_project.yml, mkdocs.yml, site/ and seeds/."""

    out_dir: Path
    """Where the published site goes; replaced only by a complete build."""

    work_dir: Path
    """Scratch folder for dbt artifacts, the database and the staged docs."""

    as_of: date
    """Evaluate every KPI as of the end of this local day; later rows are ignored."""

    data_dir: Path | None = None
    """Folder of raw CSV/Parquet files; None means the committed demo seeds."""

    raw_files: dict[str, Path] = field(default_factory=dict)
    """Raw table name -> file, resolved from data_dir (empty for the demo)."""

    built_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    """When this build started (UTC), printed on every page."""

    unit_tests: bool = False
    """Also run dbt's unit tests (make test and CI do; site builds skip them)."""

    memory_limit: str | None = None
    """DuckDB's memory_limit ('8GB', '50%'); beyond it, work spills to disk."""

    source: str = "contract"
    """The CRM the raw files come from: contract, salesforce or hubspot (issue #9)."""

    source_settings: dict = field(default_factory=dict)
    """The org's choices for that CRM (crm_source.yml, defaults filled in)."""

    source_columns: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """Raw table -> staging column -> the header found in the file (non-contract sources)."""

    unavailable: dict[str, str] = field(default_factory=dict)
    """Raw table -> why the team does not have it (declared, or no rows): its KPIs are no data."""

    attribution: dict | None = None
    """crm_source.yml `attribution:` ({rule, channels}); None: the project's default (issue #19)."""
    crm_links: dict | None = None
    """crm_source.yml `crm_links:` (a lead URL template, issue #20): pages only, no dbt var."""

    target: Target = Target(name="duckdb", type=EMBEDDED)
    """The dbt profile target the models run on (issue #13): embedded DuckDB by default."""

    locale: str = "en"
    """The site's language and formats (Babel's name: en, th, pt_BR), issue #14."""

    currency: str = "USD"
    """ISO 4217 code of the amounts in the data (USD, THB, BRL); nothing is converted."""

    sources_dir: Path | None = None
    """The site's sources (mkdocs.yml, site/, seeds/reference, the models' YAML) when
    they are not project_dir's: a project that installs sla_report as a dbt package
    (generator/dbt_package.py, issue #22)."""

    @property
    def site_root(self) -> Path:
        """Return the folder of mkdocs.yml, site/, the reference seeds and the models' YAML."""
        return self.sources_dir or self.project_dir

    @property
    def database_path(self) -> Path:
        """Return the DuckDB file of the last successful dbt build (the generator reads it)."""
        return self.work_dir / "sla_report.duckdb"

    @property
    def building_database_path(self) -> Path:
        """Return the fresh DuckDB file dbt writes; it replaces database_path on success."""
        return self.work_dir / "sla_report.building.duckdb"

    @property
    def target_dir(self) -> Path:
        """Return dbt's target folder (manifest.json, run_results.json)."""
        return self.work_dir / "target"

    @property
    def missing_inputs(self) -> dict[str, str]:
        """Return the contract inputs (tables, columns) the team lacks -> why (issue #19)."""
        return missing_inputs(self.source, self.unavailable)

    @property
    def dbt_vars(self) -> dict:
        """Return the --vars passed to dbt."""
        values: dict = {"as_of": self.as_of.isoformat()}
        # Issue #19: the models make the KPIs that need a missing input no
        # data, with the reason; on every target, so a warehouse's tables
        # say what the site says.
        if self.missing_inputs:
            values["missing_inputs"] = self.missing_inputs
        if self.attribution is not None:
            values["attribution"] = self.attribution
        if self.target.is_warehouse:
            # The raw tables are the warehouse's (sla-report load, or the
            # team's own pipeline), never the demo seeds.
            values["load_source_data"] = False
        if self.raw_files:
            values["raw_files"] = {name: str(path) for name, path in self.raw_files.items()}
            values["load_source_data"] = False
        if self.source != "contract":
            # Only for other CRMs: the contract's vars, and its builds, stay as they were.
            values["crm_source"] = self.source
            values["source_settings"] = self.source_settings
            values["source_columns"] = self.source_columns
        return values


def last_complete_day(time_zones: list[str], now: datetime | None = None) -> tuple[date, str]:
    """Return the last local day that has ended in every agreement's time zone, and that zone.

    A build never evaluates a day that has not ended: a nightly run at 05:17
    UTC is still the evening before in Chicago, and MQLs due later that
    evening are not overdue yet.
    """
    moment = now or datetime.now(UTC)
    candidates = []
    for name in time_zones or ["UTC"]:
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue  # an unknown zone is reported by the agreement checks
        candidates.append((moment.astimezone(zone).date() - timedelta(days=1), name))
    return min(candidates) if candidates else (moment.date() - timedelta(days=1), "UTC")


def agreement_time_zones(project_dir: Path) -> list[str]:
    """Return the time zones of the agreements in the project's sla_agreements seed."""
    path = project_dir / "seeds" / "reference" / "sla_agreements.csv"
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return sorted({row["timezone"].strip() for row in csv.DictReader(handle)
                           if (row.get("timezone") or "").strip()})
    except (OSError, KeyError, csv.Error):
        return []


def parse_as_of(text: str | None, default: date, last_complete: tuple[date, str]) -> date:
    """Return the as-of date from ISO text ('latest' = the last complete day), or the default.

    A date after the last complete local day is refused: its numbers would
    count a day that is not over (MQLs due later that day listed as overdue).
    """
    latest, zone = last_complete
    if text is None:
        return default
    if text == "latest":
        return latest
    try:
        as_of = date.fromisoformat(text)
    except ValueError as error:
        raise ConfigError(f"--as-of must be a date like 2015-10-15 or 'latest', not {text!r}"
                          ) from error
    if as_of > latest:
        raise ConfigError(
            f"--as-of {as_of.isoformat()} is after the last complete day ({latest.isoformat()} "
            f"in {zone}): a build never evaluates a day that has not ended, or MQLs due later "
            f"that day would be listed as overdue. Leave --as-of out (or use --as-of latest).")
    return as_of


def resolve_raw_files(data_dir: Path, unavailable: tuple[str, ...] = (),
                      empty: dict[str, str] | None = None) -> dict[str, Path]:
    """Return the clean copy of each raw table in data_dir, checking columns and types.

    A structural problem (missing folder, file or column, an unreadable file,
    a typed column where nothing parses) stops the build here with one
    message naming the file, the column and the line, before dbt runs.
    Tables declared `unavailable` (crm_source.yml) get a header-only stand-in;
    tables whose file has no rows are added to `empty` (issue #9: both are
    systems the team does not have, and their KPIs are no data).
    """
    if not data_dir.is_dir():
        raise ConfigError(f"--data {data_dir}: no such folder")
    resolved: dict[str, Path] = {}
    for table, required in RAW_TABLES.items():
        if table in unavailable:
            resolved[table] = _stand_in(table)
            continue
        candidates = [data_dir / f"{table}{suffix}" for suffix in FILE_SUFFIXES]
        found = [path for path in candidates if path.is_file()]
        if not found:
            names = " or ".join(path.name for path in candidates)
            hint = (f"; if your team does not have it, list {table} under `unavailable:` in "
                    f"{SETTINGS_NAME}" if table not in ("leads", "reps") else "")
            raise ConfigError(f"{data_dir}: missing raw table {table!r} (expected {names})"
                              + broken_link(candidates) + hint)
        path = found[0].resolve()
        if path.stat().st_size == 0:
            raise ConfigError(f"{path}: the file is empty (not even a header row); a table "
                              f"with no rows still needs its header: {', '.join(required)}")
        raw = read_raw_file(path, name=table)
        missing = [column for column in required if column not in raw.columns]
        if missing:
            # Every missing column at once: fixing an export one column per
            # build is slow (issue #11).
            listed = ", ".join(repr(column) for column in missing)
            raise ConfigError(
                f"{path}: missing required column{'s' if len(missing) > 1 else ''} {listed}; "
                f"found columns: {', '.join(raw.columns) or 'none'}")
        _check_types(raw, TYPED_COLUMNS.get(table, {}))
        resolved[table] = raw.path
        if not raw.rows and empty is not None:
            empty[table] = f"{path.name} has no rows"
    resolved.update(_optional_files(data_dir, unavailable))
    return resolved


def _optional_files(data_dir: Path, unavailable: tuple[str, ...]) -> dict[str, Path]:
    """Return the clean copy of each optional contract table, or a header-only stand-in.

    Issue #19: a folder without lead_owner_history is no error; every breach
    then stays with the lead's current owner, and the hand-off page says so.
    """
    resolved: dict[str, Path] = {}
    for table, required in OPTIONAL_TABLES.items():
        found = [data_dir / f"{table}{suffix}" for suffix in FILE_SUFFIXES
                 if (data_dir / f"{table}{suffix}").is_file()]
        if table in unavailable or not found or found[0].stat().st_size == 0:
            if not found and table not in unavailable:
                log.info("%s: no %s file: every lead keeps its current owner", data_dir, table)
            resolved[table] = _stand_in(table)
            continue
        raw = read_raw_file(found[0].resolve())
        missing = [column for column in required if column not in raw.columns]
        if missing:
            raise ConfigError(
                f"{found[0].resolve()}: missing required column"
                f"{'s' if len(missing) > 1 else ''} {', '.join(repr(c) for c in missing)}; "
                f"found columns: {', '.join(raw.columns) or 'none'}")
        _check_types(raw, TYPED_COLUMNS.get(table, {}))
        resolved[table] = raw.path
    return resolved


def _stand_in(table: str) -> Path:
    """Return a header-only contract file for a table the team does not have."""
    path = scratch_dir() / f"{table}.unavailable.csv"
    columns = RAW_TABLES.get(table) or OPTIONAL_TABLES[table]
    path.write_text(",".join(columns) + "\n", encoding="utf-8")
    return path


def resolve_source_files(data_dir: Path, settings: SourceSettings) -> ResolvedSource:
    """Return the raw files of another CRM's export, every column found (issue #9).

    Tables and columns are matched without case, spaces or underscores; a
    missing file (not declared unavailable) or a missing required column
    stops the build here, naming the file, the column and the closest header.
    """
    if not data_dir.is_dir():
        raise ConfigError(f"--data {data_dir}: no such folder")
    # A HubSpot UI export or a Salesforce report export is converted first
    # (issue #21); a table that layout cannot have is unavailable, with why.
    prepared = prepare_exports(data_dir, settings)
    data_dir = prepared.data_dir
    files: dict[str, Path] = {}
    columns: dict[str, dict[str, str | None]] = {}
    unavailable: dict[str, str] = {}
    for table in SOURCE_TABLES[settings.source]:
        if table.name in settings.unavailable or table.name in prepared.unavailable:
            files[table.name], columns[table.name] = header_only_file(table, scratch_dir())
            unavailable[table.name] = prepared.unavailable.get(
                table.name, f"declared unavailable in {SETTINGS_NAME}")
            continue
        path = find_table_file(data_dir, table.name)
        if path is None and table.absent_ok:
            # Issue #19: an export without the owner history is no error.
            files[table.name], columns[table.name] = header_only_file(table, scratch_dir())
            continue
        if path is None:
            hint = (f"; if your team does not have it, list {table.name} under "
                    f"`unavailable:` in {SETTINGS_NAME}" if table.optional else "")
            links = broken_link([data_dir / f"{table.name}{suffix}" for suffix in FILE_SUFFIXES])
            raise ConfigError(f"{data_dir}: missing raw table {table.name!r} of the "
                              f"{settings.source} source (expected {table.name}.csv or "
                              f"{table.name}.parquet){links}{hint}")
        path = path.resolve()
        if path.stat().st_size == 0:
            raise ConfigError(f"{path}: the file is empty (not even a header row)")
        raw = read_raw_file(path, name=table.name)
        if table.name == "web_sessions":
            missing = [c for c in RAW_TABLES["web_sessions"] if c not in raw.columns]
            if missing:
                raise ConfigError(f"{path}: missing required column "
                                  f"{', '.join(repr(c) for c in missing)}; found columns: "
                                  f"{', '.join(raw.columns) or 'none'}")
            _check_types(raw, TYPED_COLUMNS["web_sessions"])
        else:
            columns[table.name] = resolve_columns(path, table, list(raw.headers or raw.columns),
                                                  settings.settings)
        files[table.name] = raw.path
        if not raw.rows:
            unavailable[table.name] = f"{path.name} has no rows"
    return ResolvedSource(files, columns, unavailable)


# A typed column is refused as a whole only when at least this many values are
# present and none parses; fewer are flagged row by row (found by the
# property-based tests: one stray value in a sparse sql_at stopped the build).
STRUCTURAL_MIN_VALUES = 3

# DuckDB casts per contract type; booleans accept what staging accepts.
_PARSERS = {
    "timestamp": "try_cast({} as timestamptz)",
    "date": "try_cast({} as date)",
    "number": "try_cast({} as double)",
    "integer": "try_cast({} as bigint)",
    "boolean": "case when lower({}) in ('true', 't', '1', 'yes', 'false', 'f', '0', 'no') "
               "then true end",
}


def _check_types(raw: RawFile, typed: dict[str, str]) -> None:
    """Fail when a typed column has values but not one of them parses."""
    if not typed or not raw.rows:
        return
    path = raw.original
    try:
        with duckdb.connect() as connection:
            connection.execute("set TimeZone = 'UTC'")
            relation = _reader(raw.path)
            for column, kind in typed.items():
                value = f'trim(cast("{column}" as varchar))'
                parsed = _PARSERS[kind].format(value)
                present, parseable, example, record = connection.execute(f"""
                    with numbered as (
                        select {value} as value, {parsed} as parsed,
                            row_number() over () as record
                        from {relation}
                    )
                    select count(*) filter (where value <> ''),
                        count(*) filter (where value <> '' and parsed is not null),
                        arg_min(value, record) filter (where value <> '' and parsed is null),
                        min(record) filter (where value <> '' and parsed is null)
                    from numbered
                """).fetchone()
                # A few values that do not parse are row-level (flagged and
                # printed); a wrong format shows on many values at once.
                if present >= STRUCTURAL_MIN_VALUES and not parseable:
                    where = (f"line {raw.start_lines[record - 1]}" if raw.start_lines
                             else f"row {record}")
                    raise ConfigError(
                        f"{path}: column {column!r}: no value is a {kind} (e.g. {where}: "
                        f"{example!r}); expected ISO 8601 dates and timestamps, plain numbers")
    except duckdb.Error as error:
        raise ConfigError(f"{path}: cannot be read as a table: {error}") from error


def _reader(path: Path) -> str:
    """Return the DuckDB table function reading a clean raw file as text columns."""
    quoted = str(path).replace("'", "''")
    if path.suffix == ".parquet":
        return f"read_parquet('{quoted}')"
    # The clean copy is plain: comma, every field quoted, "" inside quotes.
    return (f"read_csv('{quoted}', header = true, all_varchar = true, delim = ',', "
            f"quote = '\"', escape = '\"', max_line_size = 1000000000)")


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


def make_config(*, data: str | None = None, as_of: str | None = None,
                out: str | None = None, project_dir: Path | None = None,
                work: str | None = None, source: str | None = None,
                unit_tests: bool = False, memory_limit: str | None = None,
                target: str | None = None, locale: str | None = None,
                currency: str | None = None) -> BuildConfig:
    """Return a validated BuildConfig from command-line style arguments."""
    root = find_project(project_dir)
    chosen = resolve_target(root, target)
    if chosen.is_warehouse and data:
        raise ConfigError(
            f"--data reads raw files through embedded DuckDB; target {chosen.name} is a "
            f"{chosen.type} warehouse. Load the files into it first: sla-report load "
            f"--target {chosen.name} --data {data}, then build with --target {chosen.name}")
    out_dir = Path(out).resolve() if out else root / "build" / "site"
    check_out_dir(out_dir)
    work_dir = Path(work).resolve() if work else out_dir.parent / f".{out_dir.name}-work"
    # Issue #22: in a project that installs sla_report as a package, the
    # site, reference seeds and KPI YAML are the package's under its own.
    sources = site_sources(root, work_dir)
    project_vars = yaml.safe_load(
        (sources / "dbt_project.yml").read_text(encoding="utf-8")).get("vars") or {}
    check_reference(sources, project_kpi_models(project_vars))
    data_dir = Path(data).resolve() if data else None
    last_complete = last_complete_day(agreement_time_zones(sources))
    # The demo's day for the demo seeds; a team's own data (files or a
    # warehouse) is evaluated as of the last complete day.
    default_as_of = DEMO_AS_OF if data_dir is None and not chosen.is_warehouse \
        else last_complete[0]
    settings = load_settings(settings_path(root, data_dir), source)
    if data_dir is None and settings.source != "contract" and not chosen.is_warehouse:
        raise ConfigError(f"--source {settings.source} reads an export: pass --data DIR, the "
                          "folder of its raw tables (the demo is in the contract's layout)")
    unavailable: dict[str, str] = {}
    columns: dict[str, dict[str, str | None]] = {}
    if data_dir is None:
        raw_files: dict[str, Path] = {}
    elif settings.source == "contract":
        tables = tuple(name for name in settings.unavailable if "." not in name)
        raw_files = resolve_raw_files(data_dir, tables, unavailable)
        unavailable.update({name: f"declared unavailable in {SETTINGS_NAME}"
                            for name in settings.unavailable})
    else:
        resolved = resolve_source_files(data_dir, settings)
        raw_files, columns, unavailable = resolved.files, resolved.columns, resolved.unavailable
    if data_dir is None and chosen.is_warehouse and settings.source != "contract":
        unavailable.update({name: f"declared unavailable in {SETTINGS_NAME}"
                            for name in settings.unavailable})
    if settings.source != "contract" and not settings.settings.get("proposal_date_field"):
        # Neither CRM has a standard proposal date: without one, proposals are
        # not measured (no data), never counted as 0.
        unavailable["opportunities.proposal_sent_at"] = (
            "HubSpot deals have no proposal date" if settings.source == "hubspot"
            else "no proposal_date_field is set")
    for table, why in sorted(unavailable.items()):
        log.warning("%s: %s; the KPIs that need it show no data", table, why)
    language = site_settings(sources, locale, currency)
    return BuildConfig(
        locale=language.code,
        currency=language.currency,
        project_dir=root,
        sources_dir=None if sources == root else sources,
        out_dir=out_dir,
        work_dir=work_dir,
        as_of=parse_as_of(as_of, default_as_of, last_complete),
        data_dir=data_dir,
        raw_files=raw_files,
        source=settings.source,
        source_settings=settings.settings,
        source_columns=columns,
        unavailable=unavailable,
        attribution=settings.attribution,
        crm_links=settings.crm_links,
        unit_tests=unit_tests,
        memory_limit=memory_limit,
        target=chosen,
    )


def files_to_load(root: Path, data_dir: Path | None,
                  source: str | None
                  ) -> tuple[dict[str, Path], dict[str, str], dict[str, dict[str, str]]]:
    """Return the checked raw files `sla-report load` puts in a warehouse, each one's
    schema, and each table's header -> staging column renames (another CRM's export).

    Without --data, the demo's raw tables (seeds/raw) are loaded, so a team
    can try a warehouse before its own data is ready.
    """
    from generator.load import raw_schema_of

    project_vars = yaml.safe_load(
        (root / "dbt_project.yml").read_text(encoding="utf-8")).get("vars") or {}
    settings = load_settings(settings_path(root, data_dir), source)
    if data_dir is None:
        if settings.source != "contract":
            raise ConfigError(f"--source {settings.source}: pass --data DIR, the folder of "
                              "its export (the demo is in the contract's layout)")
        data_dir = root / "seeds" / "raw"
    renames: dict[str, dict[str, str]] = {}
    if settings.source == "contract":
        paths = resolve_raw_files(data_dir)
    else:
        resolved = resolve_source_files(data_dir, settings)
        paths = resolved.files
        # The warehouse's tables get the column names the staging models
        # read (a build from a warehouse cannot look at the files' headers).
        renames = {table: {header: name for name, header in found.items() if header}
                   for table, found in resolved.columns.items()}
    # Web sessions are never the CRM's: they stay in the contract's raw schema.
    schemas = {table: raw_schema_of("contract" if table == "web_sessions" else settings.source,
                                    project_vars) for table in paths}
    return paths, schemas, renames
