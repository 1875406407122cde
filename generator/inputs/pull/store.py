"""Run one pull: merge what changed into a copy of the last good tables, swap on success.

The data folder holds the Parquet tables `build --data` reads and, in
`.sla-report-pull/`, dlt's DuckDB database: every table merged by id, and
the pipeline state with each object's cursor. A pull

1. copies that database into a new folder beside the data folder (a `--full`
   pull, or the first one, starts empty instead);
2. runs the dlt pipeline into the copy: changed records replace theirs by
   id, deleted and archived ones are removed (dlt's `hard_delete`);
3. drops rows whose parent is gone (a deleted lead's history, a deleted
   deal's contacts), writes every table as Parquet into the new folder, and
   copies over the folder's other files (web_sessions, crm_source.yml);
4. swaps the new folder in for the old one, and only then deletes the old.

A pull that fails at any step leaves the data folder as it was. A swap cut
short (the machine dies between its two renames) leaves the last good folder
as `<data>.previous`, which the next pull puts back before it starts.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import duckdb

from generator.exceptions import SlaReportError
from generator.inputs.pull.http import Api
from generator.inputs.pull.records import DELETED, RawTable
from generator.inputs.pull.settings import PullSettings
from generator.lock import build_lock

log = logging.getLogger(__name__)

STATE_FOLDER = ".sla-report-pull"
STATE_DATABASE = "state.duckdb"
RECORD = "last_pull.json"
# dlt's settings (telemetry off) live beside this module, in .dlt/config.toml.
DLT_RUN_DIR = Path(__file__).resolve().parent
# How dlt hands the records to DuckDB. Its default for DuckDB, insert_values,
# has DuckDB parse one long INSERT statement per file: that was half a
# HubSpot pull's CPU. Parquet (pyarrow, in the pull extra) loads the same
# columns, typed by the same schema, in a fraction of it
# (benchmarks/bench_pull.py). JSON lines would not do: DuckDB guesses their
# types, and turns the CRM's timestamp text into its own format.
LOADER_FILE_FORMAT: Final = "parquet"


@dataclass(frozen=True)
class PullResult:
    """What one pull did, for the closing line and last_pull.json."""

    system: str
    data_dir: Path
    mode: str
    """full, incremental or since DATE."""
    stored: dict[str, int]
    """Table -> rows stored after the pull (what build reads)."""
    fetched: dict[str, int]
    """Object -> records fetched by this pull (changed and deleted)."""
    requests: int
    retries: int
    seconds: float


def run_pull(
    settings: PullSettings, since: datetime | None, full: bool, report: Callable[[str], None]
) -> PullResult:
    """Pull the CRM into settings.data_dir; the old tables stay until the new ones are whole."""
    started = time.perf_counter()
    data_dir = settings.data_dir
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    recover_swap(data_dir)
    lock_dir = data_dir.parent / f".{data_dir.name}.lock"
    with build_lock(lock_dir, what="pull into this data folder", name="pull.lock"):
        work = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}.pulling-", dir=data_dir.parent))
        try:
            previous = data_dir / STATE_FOLDER / STATE_DATABASE
            incremental = previous.is_file() and not full
            state = work / STATE_DATABASE
            if incremental:
                shutil.copy2(previous, state)
            api = _connect(settings)
            _run_dlt(settings, api, state, work, since, not incremental, report)
            new = work / "data"
            stored = _write_tables(settings, state, new)
            _carry_over(data_dir, new, set(stored))
            (new / STATE_FOLDER).mkdir()
            shutil.move(str(state), new / STATE_FOLDER / STATE_DATABASE)
            mode = (
                "full"
                if not incremental
                else (f"since {since:%Y-%m-%d}" if since else "incremental")
            )
            result = PullResult(
                settings.system,
                data_dir,
                mode,
                stored,
                dict(api.counts.rows),
                api.counts.requests,
                api.counts.retries,
                time.perf_counter() - started,
            )
            _write_record(new / STATE_FOLDER / RECORD, result)
            _swap(new, data_dir)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return result


def recover_swap(data_dir: Path) -> None:
    """Finish a swap a crash cut short: put the last good folder back in place."""
    previous = data_dir.with_name(f"{data_dir.name}.previous")
    if previous.is_dir() and not data_dir.exists():
        log.warning(
            "%s: a pull was cut short while swapping; restoring the last good folder", data_dir
        )
        previous.rename(data_dir)
    elif previous.is_dir():
        shutil.rmtree(previous)


def _connect(settings: PullSettings) -> Api:
    """Return the API client, signed in (Salesforce client credentials when no token)."""
    if settings.token is not None:
        return Api(settings, settings.token)
    from generator.inputs.pull.salesforce import client_credentials

    token, instance_url = client_credentials(settings)
    return Api(settings, token, instance_url)


def _run_dlt(
    settings: PullSettings,
    api: Api,
    state: Path,
    work: Path,
    since: datetime | None,
    full: bool,
    report: Callable[[str], None],
) -> None:
    """Run the dlt pipeline of the system into the state database."""
    import dlt
    from dlt.common.configuration.container import Container
    from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext
    from dlt.common.runtime import telemetry
    from dlt.common.runtime.run_context import RunContext
    from dlt.pipeline.exceptions import PipelineStepFailed

    # dlt reads its settings from DLT_RUN_DIR/.dlt/config.toml, telemetry off,
    # whatever the current directory: a pull contacts the CRM and nothing else.
    # dlt starts telemetry once, from the first run context it meets (looking
    # one up creates the default, from the current directory), so any started
    # earlier in this process is stopped before ours is put in place.
    telemetry.stop_telemetry()
    Container()[PluggableRunContext] = PluggableRunContext(RunContext(str(DLT_RUN_DIR)))
    source = _source(settings, api, since, full, report)
    pipeline = dlt.pipeline(
        pipeline_name=f"sla_report_{settings.system}",
        pipelines_dir=str(work / "dlt"),
        destination=dlt.destinations.duckdb(str(state)),
        dataset_name=settings.system,
    )
    try:
        pipeline.run(source, loader_file_format=LOADER_FILE_FORMAT)
    except PipelineStepFailed as error:
        raise _cause(error) from error


def _source(settings: PullSettings, api: Api, since, full, report):
    if settings.system == "hubspot":
        from generator.inputs.pull.hubspot import hubspot_source

        return hubspot_source(api, settings.hubspot, since, full, report)
    from generator.inputs.pull.salesforce import salesforce_source

    return salesforce_source(api, settings.salesforce, since, full, report)


def _cause(error: BaseException) -> BaseException:
    """Return the error behind dlt's wrapping: ours as it was, anything else as it is."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, SlaReportError):
            return current
        current = getattr(current, "exception", None) or current.__cause__ or current.__context__
    return error


def raw_tables(settings: PullSettings) -> dict[str, RawTable]:
    """Return the tables the pull of this system writes."""
    if settings.system == "hubspot":
        from generator.inputs.pull.hubspot import tables as hubspot_tables

        return hubspot_tables(settings.hubspot)
    from generator.inputs.pull.salesforce import tables as salesforce_tables

    return salesforce_tables(settings.salesforce)


def _prune_sql(settings: PullSettings) -> list[tuple[tuple[str, ...], str]]:
    if settings.system == "hubspot":
        from generator.inputs.pull.hubspot import prune_sql
    else:
        from generator.inputs.pull.salesforce import prune_sql
    return prune_sql(settings.system)


def _write_tables(settings: PullSettings, state: Path, out: Path) -> dict[str, int]:
    """Drop orphaned rows, then write every table as Parquet into out; return row counts."""
    out.mkdir()
    schema = settings.system
    counts: dict[str, int] = {}
    with duckdb.connect(str(state)) as connection:
        existing = {
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables where table_schema = ?", [schema]
            ).fetchall()
        }
        for tables, statement in _prune_sql(settings):
            if all(name in existing for name in tables):
                connection.execute(statement)
        for table in raw_tables(settings).values():
            target = str(out / f"{table.name}.parquet").replace("'", "''")
            if table.name in existing:
                names = [
                    row[0]
                    for row in connection.execute(
                        "select column_name from information_schema.columns where table_schema = ? "
                        "and table_name = ? order by ordinal_position",
                        [schema, table.name],
                    ).fetchall()
                    if not row[0].startswith("_dlt") and row[0] != DELETED
                ]
                columns = ", ".join(f'"{name}"' for name in names)
                order = ", ".join(f'"{name}"' for name in table.primary_key)
                query = f'select {columns} from {schema}."{table.name}" order by {order}'
            else:
                # Nothing of it in the CRM yet: a header-only table, which
                # build reads as "no rows" (no data, never 0).
                query = (
                    "select "
                    + ", ".join(f'cast(null as varchar) as "{name}"' for name in table.columns)
                    + " limit 0"
                )
            connection.execute(f"copy ({query}) to '{target}' (format parquet)")
            [(rows,)] = connection.execute(
                f"select count(*) from read_parquet('{target}')"
            ).fetchall()
            counts[table.name] = rows
    return counts


def _carry_over(data_dir: Path, new: Path, pulled: set[str]) -> None:
    """Copy the data folder's other files (web_sessions, crm_source.yml) into the new one.

    A file named after a pulled table (an old export's contact.csv) is left
    behind: the build would read it instead of the pulled Parquet.
    """
    if not data_dir.is_dir():
        return
    for path in data_dir.iterdir():
        if path.name == STATE_FOLDER:
            continue
        if path.is_file() and path.name.lower().rsplit(".", 1)[0] in pulled:
            if path.suffix.lower() != ".parquet":
                log.warning("%s: replaced by the pulled %s.parquet", path, path.stem.lower())
            continue
        copy = shutil.copytree if path.is_dir() else shutil.copy2
        copy(path, new / path.name)


def _write_record(path: Path, result: PullResult) -> None:
    record = {
        "system": result.system,
        "mode": result.mode,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "stored": result.stored,
        "fetched": result.fetched,
        "requests": result.requests,
        "retries": result.retries,
        "seconds": round(result.seconds, 1),
    }
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def _swap(new: Path, data_dir: Path) -> None:
    """Put the new folder in place of the old one; delete the old one last."""
    previous = data_dir.with_name(f"{data_dir.name}.previous")
    if data_dir.exists():
        data_dir.rename(previous)
    new.rename(data_dir)
    shutil.rmtree(previous, ignore_errors=True)
