"""The data folder's raw files, checked before dbt runs (issues #9, #11, #19).

A structural problem (a missing folder, file or column, an unreadable file,
a typed column where nothing parses) stops the build here with one message
naming the file, the column and the line. Row-level problems are left to
staging, which quarantines them visibly.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

import duckdb

from generator.exceptions import ConfigError
from generator.inputs.check_cache import CheckCache, recorded_notes, write_if_changed
from generator.inputs.exports import prepare as prepare_exports
from generator.inputs.headers import (
    ResolvedSource,
    find_table_file,
    header_only_file,
    resolve_columns,
)
from generator.inputs.raw_columns import FILE_SUFFIXES, OPTIONAL_TABLES, RAW_TABLES, TYPED_COLUMNS
from generator.inputs.raw_files import RawFile, broken_link, read_raw_file, scratch_dir
from generator.inputs.source_settings import SETTINGS_NAME, SourceSettings
from generator.inputs.source_tables import SOURCE_TABLES, Table

log = logging.getLogger(__name__)


def resolve_raw_files(
    data_dir: Path,
    unavailable: tuple[str, ...] = (),
    empty: dict[str, str] | None = None,
    cache_dir: Path | None = None,
) -> dict[str, Path]:
    """Return the clean copy of each raw table in data_dir, checking columns and types.

    A structural problem (missing folder, file or column, an unreadable file,
    a typed column where nothing parses) stops the build here with one
    message naming the file, the column and the line, before dbt runs.
    Tables declared `unavailable` (crm_source.yml) get a header-only stand-in;
    tables whose file has no rows are added to `empty` (issue #9: both are
    systems the team does not have, and their KPIs are no data).
    With a cache_dir (a build's `<work>/inputs`), the clean copies and
    stand-ins are kept there and a file unchanged since its last good check
    is not read again (issue #23); without one (`sla-report load`) they live
    in a scratch folder removed at exit.
    """
    if not data_dir.is_dir():
        raise ConfigError(f"--data {data_dir}: no such folder")
    cache = CheckCache(cache_dir) if cache_dir else None
    resolved: dict[str, Path] = {}
    for table, required in RAW_TABLES.items():
        if table in unavailable:
            resolved[table] = _stand_in(table, cache)
            continue
        candidates = [data_dir / f"{table}{suffix}" for suffix in FILE_SUFFIXES]
        found = [path for path in candidates if path.is_file()]
        if not found:
            names = " or ".join(path.name for path in candidates)
            hint = (
                f"; if your team does not have it, list {table} under `unavailable:` in "
                f"{SETTINGS_NAME}"
                if table not in ("leads", "reps")
                else ""
            )
            raise ConfigError(
                f"{data_dir}: missing raw table {table!r} (expected {names})"
                + broken_link(candidates)
                + hint
            )
        path = found[0].resolve()
        if path.stat().st_size == 0:
            raise ConfigError(
                f"{path}: the file is empty (not even a header row); a table "
                f"with no rows still needs its header: {', '.join(required)}"
            )
        raw = _read_checked(path, table, cache, _contract_check(path, required, table))
        resolved[table] = raw.path
        if not raw.rows and empty is not None:
            empty[table] = f"{path.name} has no rows"
    resolved.update(_optional_files(data_dir, unavailable, cache))
    return resolved


def _contract_check(path: Path, required: list[str], table: str) -> Callable[[RawFile], None]:
    """Return the check of a contract table's file: required columns, then typed ones."""

    def check(raw: RawFile) -> None:
        missing = [column for column in required if column not in raw.columns]
        if missing:
            # Every missing column at once: fixing an export one column per
            # build is slow (issue #11).
            listed = ", ".join(repr(column) for column in missing)
            raise ConfigError(
                f"{path}: missing required column{'s' if len(missing) > 1 else ''} {listed}; "
                f"found columns: {', '.join(raw.columns) or 'none'}"
            )
        _check_types(raw, TYPED_COLUMNS.get(table, {}))

    return check


def _read_checked(
    path: Path,
    table: str,
    cache: CheckCache | None,
    check: Callable[[RawFile], None],
    layout: str = "contract",
) -> RawFile:
    """Return the checked clean copy of one raw file: the last good check's if unchanged."""
    # What was checked is part of the record's key: a file read in another
    # layout, or new required or typed columns (a new release), is checked again.
    checks = repr(
        (layout, RAW_TABLES.get(table), OPTIONAL_TABLES.get(table), TYPED_COLUMNS.get(table))
    )
    if cache is not None:
        raw = cache.lookup(path, table, checks)
        if raw is not None:
            return raw
        cache.forget(table)
    with recorded_notes() as notes:
        raw = read_raw_file(path, cache.out_dir() if cache else None, name=table)
    check(raw)
    if cache is not None:
        cache.store(raw, table, checks, notes)
    return raw


def _optional_files(
    data_dir: Path, unavailable: tuple[str, ...], cache: CheckCache | None
) -> dict[str, Path]:
    """Return the clean copy of each optional contract table, or a header-only stand-in.

    Issue #19: a folder without lead_owner_history is no error; every breach
    then stays with the lead's current owner, and the hand-off page says so.
    """
    resolved: dict[str, Path] = {}
    for table, required in OPTIONAL_TABLES.items():
        found = [
            data_dir / f"{table}{suffix}"
            for suffix in FILE_SUFFIXES
            if (data_dir / f"{table}{suffix}").is_file()
        ]
        if table in unavailable or not found or found[0].stat().st_size == 0:
            if not found and table not in unavailable:
                log.info("%s: no %s file: every lead keeps its current owner", data_dir, table)
            resolved[table] = _stand_in(table, cache)
            continue
        path = found[0].resolve()
        raw = _read_checked(path, table, cache, _contract_check(path, required, table))
        resolved[table] = raw.path
    return resolved


def _stand_in(table: str, cache: CheckCache | None) -> Path:
    """Return a header-only contract file for a table the team does not have.

    In a build's work folder it outlives the build: dbt's manifest names it.
    """
    folder = cache.out_dir() if cache else scratch_dir()
    columns = RAW_TABLES.get(table) or OPTIONAL_TABLES[table]
    return write_if_changed(folder / f"{table}.unavailable.csv", ",".join(columns) + "\n")


def resolve_source_files(
    data_dir: Path, settings: SourceSettings, cache_dir: Path | None = None
) -> ResolvedSource:
    """Return the raw files of another CRM's export, every column found (issue #9).

    Tables and columns are matched without case, spaces or underscores; a
    missing file (not declared unavailable) or a missing required column
    stops the build here, naming the file, the column and the closest header.
    A cache_dir keeps the checks between builds, as for resolve_raw_files.
    """
    if not data_dir.is_dir():
        raise ConfigError(f"--data {data_dir}: no such folder")
    cache = CheckCache(cache_dir) if cache_dir else None
    out_dir = cache.out_dir() if cache else scratch_dir()
    # A HubSpot UI export or a Salesforce report export is converted first
    # (issue #21); a table that layout cannot have is unavailable, with why.
    prepared = prepare_exports(data_dir, settings)
    data_dir = prepared.data_dir
    files: dict[str, Path] = {}
    columns: dict[str, dict[str, str | None]] = {}
    unavailable: dict[str, str] = {}
    for table in SOURCE_TABLES[settings.source]:
        if table.name in settings.unavailable or table.name in prepared.unavailable:
            files[table.name], columns[table.name] = header_only_file(table, out_dir)
            unavailable[table.name] = prepared.unavailable.get(
                table.name, f"declared unavailable in {SETTINGS_NAME}"
            )
            continue
        path = find_table_file(data_dir, table.name)
        if path is None and table.absent_ok:
            # Issue #19: an export without the owner history is no error.
            files[table.name], columns[table.name] = header_only_file(table, out_dir)
            continue
        if path is None:
            raise _missing_table(data_dir, table, settings.source)
        path = path.resolve()
        if path.stat().st_size == 0:
            raise ConfigError(f"{path}: the file is empty (not even a header row)")
        if table.name == "web_sessions":
            raw = _read_checked(path, table.name, cache, _web_sessions_check(path), "sessions")
        else:
            # Another CRM's columns are matched on every build (cheap: the
            # headers), as the settings that name them may have changed.
            raw = _read_checked(path, table.name, cache, lambda raw: None, settings.source)
            columns[table.name] = resolve_columns(
                path, table, list(raw.headers or raw.columns), settings.settings
            )
        files[table.name] = raw.path
        if not raw.rows:
            unavailable[table.name] = f"{path.name} has no rows"
    return ResolvedSource(files, columns, unavailable)


def _web_sessions_check(path: Path) -> Callable[[RawFile], None]:
    """Return the check of the web sessions file beside another CRM's export."""

    def check(raw: RawFile) -> None:
        missing = [c for c in RAW_TABLES["web_sessions"] if c not in raw.columns]
        if missing:
            raise ConfigError(
                f"{path}: missing required column "
                f"{', '.join(repr(c) for c in missing)}; found columns: "
                f"{', '.join(raw.columns) or 'none'}"
            )
        _check_types(raw, TYPED_COLUMNS["web_sessions"])

    return check


def _missing_table(data_dir: Path, table: Table, source: str) -> ConfigError:
    """Return the error for a raw table of `source` that `data_dir` lacks."""
    hint = (
        f"; if your team does not have it, list {table.name} under "
        f"`unavailable:` in {SETTINGS_NAME}"
        if table.optional
        else ""
    )
    links = broken_link([data_dir / f"{table.name}{suffix}" for suffix in FILE_SUFFIXES])
    return ConfigError(
        f"{data_dir}: missing raw table {table.name!r} of the "
        f"{source} source (expected {table.name}.csv or "
        f"{table.name}.parquet){links}{hint}"
    )


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
        with _checks_database().cursor() as connection:
            tallies = _type_tallies(connection, _reader(raw.path), typed)
    except duckdb.Error as error:
        raise ConfigError(f"{path}: cannot be read as a table: {error}") from error
    checked = zip(typed.items(), tallies, strict=True)
    for (column, kind), (present, parseable, example, record) in checked:
        # A few values that do not parse are row-level (flagged and
        # printed); a wrong format shows on many values at once.
        if present >= STRUCTURAL_MIN_VALUES and not parseable:
            where = f"line {raw.start_lines[record - 1]}" if raw.start_lines else f"row {record}"
            raise ConfigError(
                f"{path}: column {column!r}: no value is a {kind} (e.g. {where}: "
                f"{example!r}); expected ISO 8601 dates and timestamps, plain numbers"
            )


@functools.cache
def _checks_database() -> duckdb.DuckDBPyConnection:
    """Return the process's in-memory DuckDB for the type checks (a cursor per use).

    A new database costs about 40 ms with its time zone set, and the
    pre-check of a new copy checks every file (issue #22).
    """
    database = duckdb.connect()
    database.execute("set global TimeZone = 'UTC'")
    return database


def _type_tallies(connection, relation: str, typed: dict[str, str]) -> list[tuple]:
    """Return per typed column: values present, values parsed, the first unparsed and its record.

    One scan of the file for all its typed columns, not one per column.
    """
    values = [f'trim(cast("{column}" as varchar)) as v{i}' for i, column in enumerate(typed)]
    tallies = []
    for i, kind in enumerate(typed.values()):
        value, bad = f"v{i}", f"v{i} <> '' and {_PARSERS[kind].format(f'v{i}')} is null"
        tallies += [
            f"count(*) filter (where {value} <> '')",
            f"count(*) filter (where {value} <> '' and not ({bad}))",
            f"arg_min({value}, record) filter (where {bad})",
            f"min(record) filter (where {bad})",
        ]
    # An aggregate over the whole file: exactly one row.
    [row] = connection.execute(f"""
        with numbered as (
            select {", ".join(values)}, row_number() over () as record
            from {relation}
        )
        select {", ".join(tallies)}
        from numbered
    """).fetchall()
    return [row[i : i + 4] for i in range(0, len(row), 4)]


def _reader(path: Path) -> str:
    """Return the DuckDB table function reading a clean raw file as text columns."""
    quoted = str(path).replace("'", "''")
    if path.suffix == ".parquet":
        return f"read_parquet('{quoted}')"
    # The clean copy is plain: comma, every field quoted, "" inside quotes.
    return (
        f"read_csv('{quoted}', header = true, all_varchar = true, delim = ',', "
        f"quote = '\"', escape = '\"', max_line_size = 1000000000)"
    )
