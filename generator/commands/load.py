"""`sla-report load`: raw files into a warehouse's raw schema (issue #13).

A team tries the report on its own PostgreSQL or Spark in two commands:
`sla-report load --target NAME --data DIR`, then `sla-report build --target
NAME`. The files pass the same checks as `build --data` (columns, types,
encoding; generator/inputs/precheck.py), every column is loaded as text, so staging
types and quarantines each value exactly as it does for files, and each
table's row count in the warehouse is checked against the file's.

dbt makes the connection (profile, credentials from environment variables):
a `run-operation` creates the raw schema, and the same adapter then bulk
loads each table the engine's own way (PostgreSQL's COPY, Spark's CSV
reader). Other warehouses have their own loaders (COPY INTO, bq load); the
README says how to point the sources at what they load.
"""

from __future__ import annotations

import csv
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from generator.exceptions import ConfigError, InternalError
from generator.inputs.precheck import resolve_raw_files, resolve_source_files
from generator.inputs.raw_files import scratch_dir
from generator.inputs.source_settings import load_settings, settings_path
from generator.settings.profiles import Target, profile_vars
from generator.settings.project import project_vars

log = logging.getLogger(__name__)

LOADERS = ("postgres", "spark")


@dataclass(frozen=True)
class LoadedTable:
    """One raw table as loaded: where from, where to, how many rows."""

    table: str
    relation: str
    rows: int
    source_file: Path


def raw_schema_of(source: str, project_vars: dict) -> str:
    """Return the schema the staging models read a source's raw tables from."""
    if source == "contract":
        return str(project_vars.get("raw_schema", "raw"))
    return str(project_vars.get(f"{source}_schema", source))


def load_files(
    project_dir: Path,
    target: Target,
    files: dict[str, Path],
    schemas: dict[str, str],
    renames: dict[str, dict[str, str]] | None = None,
) -> list[LoadedTable]:
    """Load each table's clean file into its schema on the target; return what was loaded.

    `files` maps a raw table name to its checked, clean file and `schemas` to
    its schema (files_to_load); `renames` maps a table's headers to the column
    names staging reads.
    Existing tables of those names are replaced, one by one.
    """
    if target.type not in LOADERS:
        raise ConfigError(
            f"sla-report load supports {' and '.join(LOADERS)} targets; {target.name} is "
            f"{target.type}. Load the files with the warehouse's own loader into schema "
            f"{', '.join(sorted(set(schemas.values())))}, one text column per header "
            "(see the README's Warehouses section)"
        )
    adapter = _connect(project_dir, target, sorted(set(schemas.values())))
    loaded = []
    with adapter.connection_named("sla_report_load"):
        for table, path in files.items():
            started = time.perf_counter()
            text_file, rows = _as_text_csv(path, table, (renames or {}).get(table, {}))
            relation = f"{adapter.quote(schemas[table])}.{adapter.quote(table)}"
            if target.type == "postgres":
                _load_postgres(adapter, relation, text_file)
            else:
                _load_spark(relation, text_file)
            found = _count(adapter, relation)
            if found != rows:
                raise InternalError(
                    f"{path}: {rows} records in the file but {found} rows in "
                    f"{relation} after loading; nothing is built from it"
                )
            log.info("%s: %d rows in %.1f s", relation, rows, time.perf_counter() - started)
            loaded.append(LoadedTable(table, relation, rows, path))
    adapter.cleanup_connections()
    return loaded


def _connect(project_dir: Path, target: Target, schemas: list[str]):
    """Create the raw schemas through dbt and return the adapter it registered."""
    from dbt.adapters.factory import FACTORY
    from dbt.cli.main import dbtRunner

    outcome = dbtRunner().invoke(
        [
            "run-operation",
            "create_raw_schemas",
            "--args",
            json.dumps({"schema_names": schemas}),
            "--vars",
            json.dumps(profile_vars(project_dir, target)),
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
            "--target",
            target.name,
            "--log-path",
            str(project_dir / "build" / "logs"),
            "--target-path",
            str(project_dir / "build" / "load-target"),
            "--no-send-anonymous-usage-stats",
            "--no-version-check",
            "--quiet",
        ]
    )
    if not outcome.success:
        detail = outcome.exception or "see build/logs/dbt.log"
        raise ConfigError(f"cannot reach target {target.name} ({target.type}): {detail}")
    adapter = FACTORY.adapters.get(target.type)
    if adapter is None:
        raise InternalError(f"dbt registered no {target.type} adapter")
    return adapter


def _as_text_csv(path: Path, table: str, renames: dict[str, str]) -> tuple[Path, int]:
    """Return the table as a plain CSV of text columns (Parquet and CSV alike), and its rows."""
    out = scratch_dir() / f"{table}.load.csv"
    source = str(path).replace("'", "''")
    reader = (
        f"read_parquet('{source}')"
        if path.suffix == ".parquet"
        else f"read_csv('{source}', header = true, all_varchar = true, delim = ',', "
        f"quote = '\"', escape = '\"', max_line_size = 1000000000)"
    )
    target = str(out).replace("'", "''")
    with duckdb.connect() as connection:
        names = [
            row[0]
            for row in connection.execute(
                f"select column_name from (describe select * from {reader})"
            ).fetchall()
        ]
        columns = ", ".join(
            f'cast("{_quoted(name)}" as varchar) as "{_quoted(renames.get(name, name))}"'
            for name in names
        )
        # COPY answers one row: the number of rows written.
        [(rows,)] = connection.execute(
            f"copy (select {columns} from {reader}) to '{target}' "
            f"(header, delimiter ',', quote '\"', escape '\"')"
        ).fetchall()
    return out, int(rows)


def _quoted(name: str) -> str:
    return name.replace('"', '""')


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle), [])


def _load_postgres(adapter, relation: str, path: Path) -> None:
    """Replace the table, COPY the file in and analyze it, in one transaction."""
    columns = ", ".join(f"{adapter.quote(name)} text" for name in _header(path))
    connection = adapter.connections.get_thread_connection().handle
    with connection.cursor() as cursor, path.open(encoding="utf-8") as handle:
        cursor.execute(f"drop table if exists {relation}")
        cursor.execute(f"create table {relation} ({columns})")
        cursor.copy_expert(f"copy {relation} from stdin with (format csv, header true)", handle)
        # Statistics now, not when autovacuum comes by: staging reads this
        # table next, and without them the planner guesses (as for the
        # models, macros/engines.sql analyze_table).
        cursor.execute(f"analyze {relation}")
    connection.commit()


def _load_spark(relation: str, path: Path) -> None:
    from pyspark.sql import SparkSession

    # The session dbt opened with the profile's settings (warehouse folder,
    # metastore, time zone); getOrCreate returns it.
    spark = SparkSession.builder.getOrCreate()
    frame = (
        spark.read.option("header", True)
        .option("multiLine", True)
        .option("escape", '"')
        .option("inferSchema", False)
        .csv(str(path))
    )
    frame.write.mode("overwrite").format("parquet").saveAsTable(relation)


def _count(adapter, relation: str) -> int:
    _, table = adapter.execute(f"select count(*) as row_count from {relation}", fetch=True)
    return int(table.rows[0][0])


def files_to_load(
    root: Path, data_dir: Path | None, source: str | None
) -> tuple[dict[str, Path], dict[str, str], dict[str, dict[str, str]]]:
    """Return the checked raw files `sla-report load` puts in a warehouse, each one's
    schema, and each table's header -> staging column renames (another CRM's export).

    Without --data, the demo's raw tables (seeds/raw) are loaded, so a team
    can try a warehouse before its own data is ready.
    """
    dbt_vars = project_vars(root)
    settings = load_settings(settings_path(root, data_dir), source)
    if data_dir is None:
        if settings.source != "contract":
            raise ConfigError(
                f"--source {settings.source}: pass --data DIR, the folder of "
                "its export (the demo is in the contract's layout)"
            )
        data_dir = root / "seeds" / "raw"
    renames: dict[str, dict[str, str]] = {}
    if settings.source == "contract":
        paths = resolve_raw_files(data_dir)
    else:
        resolved = resolve_source_files(data_dir, settings)
        paths = resolved.files
        # The warehouse's tables get the column names the staging models
        # read (a build from a warehouse cannot look at the files' headers).
        renames = {
            table: {header: name for name, header in found.items() if header}
            for table, found in resolved.columns.items()
        }
    # Web sessions are never the CRM's: they stay in the contract's raw schema.
    schemas = {
        table: raw_schema_of("contract" if table == "web_sessions" else settings.source, dbt_vars)
        for table in paths
    }
    return paths, schemas, renames
