"""Benchmark: the CPU of a full `sla-report pull`, by the file format dlt loads DuckDB with.

For HubSpot and Salesforce in turn: the demo world's records served by the
tests' local API server (tests/crm_servers.py, on 127.0.0.1), then full
pulls into fresh data folders, alternating dlt's default for DuckDB
(insert_values) and the pull's own (generator/inputs/pull/store.py,
LOADER_FILE_FORMAT). It prints each pull's CPU seconds and wall time, and
each format's CPU as a multiple of insert_values' in the same run (these
machines are noisy: compare the ratios), then checks that every format
stored the same tables, column types and rows.

The server runs in this process, so its CPU (the same for every format) is
in each figure: the ratios understate the difference in the pull itself.

    python benchmarks/bench_pull.py              # one pull of each format per system
    python benchmarks/bench_pull.py --repeat 3
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.inputs.pull import store  # noqa: E402
from tests.conftest import DEMO_RAW  # noqa: E402
from tests.crm_exports import EXPORTS  # noqa: E402
from tests.crm_servers import FakeHubSpot, FakeSalesforce  # noqa: E402
from tests.test_pull import project, pull, seed_data_folder, tables  # noqa: E402

SYSTEMS = {
    "hubspot": ("hubspot", FakeHubSpot),
    "salesforce": ("salesforce-dataloader", FakeSalesforce),
}
FORMATS = ("insert_values", store.LOADER_FILE_FORMAT)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_pull(system: str, export: Path, folder: Path, file_format: str) -> tuple[float, float]:
    """Pull the export's records into folder/data in file_format; return CPU and wall seconds."""
    data = folder / "data"
    seed_data_folder(data, system, export)
    with SYSTEMS[system][1](export) as server:
        settings = project(folder / "project", system, server.url, data)
        before, started = cpu_seconds(), time.perf_counter()
        with mock.patch.object(store, "LOADER_FILE_FORMAT", file_format):
            result = pull(settings, system)
        cpu, wall = cpu_seconds() - before, time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(f"{system} pull ({file_format}) failed:\n{result.output}")
    return cpu, wall


def stored_tables(data: Path) -> dict[str, tuple[list, list]]:
    """Return each Parquet table of a data folder: its column types and its sorted rows."""
    rows = tables(data)
    with duckdb.connect() as connection:
        return {
            name: (
                connection.execute(
                    f"describe select * from read_parquet('{data / name}.parquet')"
                ).fetchall(),
                rows[name],
            )
            for name in rows
        }


def bench(system: str, work: Path, repeat: int) -> None:
    """Print each pull's figures for one CRM; exit 1 if the formats stored different tables."""
    name, _ = SYSTEMS[system]
    export = work / "export"
    export.mkdir(parents=True)
    _, settings, write = EXPORTS[name]
    write(DEMO_RAW, export)
    (export / "crm_source.yml").write_text(settings, encoding="utf-8")
    # Unmeasured: the first pull in a process imports dlt and DuckDB's extensions.
    timed_pull(system, export, work / "warm-up", store.LOADER_FILE_FORMAT)
    stored = {}
    for round_ in range(repeat):
        baseline = None  # this round's insert_values pull, which runs first
        for file_format in FORMATS:
            folder = work / f"{file_format}-{round_}"
            cpu, wall = timed_pull(system, export, folder, file_format)
            baseline = baseline or cpu
            ratio = cpu / baseline
            print(f"{system:11} {file_format:14} {cpu:7.1f} {ratio:6.2f} {wall:7.1f}", flush=True)
            stored[file_format] = stored_tables(folder / "data")
    same = all(stored[file_format] == stored[FORMATS[0]] for file_format in FORMATS)
    rows = sum(len(rows) for _, rows in stored[FORMATS[0]].values())
    print(
        f"{system:11} {len(stored[FORMATS[0]])} tables, {rows:,} rows: "
        + ("the same in every format" if same else "DIFFERENT between formats")
    )
    if not same:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="pulls of each format, in turn")
    parser.add_argument("--system", choices=sorted(SYSTEMS), action="append")
    options = parser.parse_args()
    print(f"{'system':11} {'format':14} {'cpu s':>7} {'ratio':>6} {'wall s':>7}")
    for system in options.system or list(SYSTEMS):
        with tempfile.TemporaryDirectory(prefix=f"bench-pull-{system}-") as work:
            bench(system, Path(work), options.repeat)


if __name__ == "__main__":
    main()
