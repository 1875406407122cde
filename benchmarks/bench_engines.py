"""Benchmark: the same build on DuckDB, PostgreSQL and Spark (issue #13).

For each size it writes the raw files once (the demo's seeds, or
benchmarks/scaled_data.py), then for each engine, in fresh processes:

- DuckDB: `sla-report build --data DIR --full` (embedded, reads the files);
- PostgreSQL and Spark: `sla-report load --target NAME --data DIR`, then
  `sla-report build --target NAME`.

Every data test runs on every engine. It prints the load and build times and
each engine's build time as a multiple of DuckDB's, measured in the same run
(these machines are noisy: compare the ratios). PostgreSQL is a throwaway
server started by scripts/postgres on a free port; Spark runs in local mode.

    python benchmarks/bench_engines.py                   # the demo on all three
    python benchmarks/bench_engines.py --sizes demo,1m --engines duckdb,postgres
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_scale import AS_OF, FINAL_LINE, parse_size  # noqa: E402
from benchmarks.scaled_data import write_scaled_data  # noqa: E402

CLI = [sys.executable, "-m", "generator"]
PROJECT_PARTS = ("models", "macros", "seeds", "data-tests", "site")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "mkdocs.yml")


def _run(command: list[str], cwd: Path, env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(command[2:])} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return seconds, result.stdout


def project_copy(folder: Path) -> Path:
    """Copy the parts of the project a build reads into folder (new); return it."""
    folder.mkdir(parents=True)
    for name in PROJECT_PARTS:
        shutil.copytree(ROOT / name, folder / name)
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, folder / name)
    return folder


def _dbt_seconds(output: str) -> float | None:
    for line in output.splitlines():
        match = FINAL_LINE.search(line)
        if match:
            return float(match.group("dbt"))
    return None


def bench_engine(engine: str, raw: Path, work: Path, env: dict) -> dict:
    """Return the load and build wall times of one engine on one folder of raw files."""
    project = project_copy(work / engine)
    out = project / "build" / "site"
    load = 0.0
    if engine == "duckdb":
        build, output = _run(
            [
                *CLI,
                "build",
                "--data",
                str(raw),
                "--full",
                "--as-of",
                AS_OF,
                "--out",
                str(out),
                "--quiet",
            ],
            project,
            env,
        )
    else:
        load, _ = _run(
            [*CLI, "load", "--target", engine, "--data", str(raw), "--quiet"], project, env
        )
        build, output = _run(
            [*CLI, "build", "--target", engine, "--as-of", AS_OF, "--out", str(out), "--quiet"],
            project,
            env,
        )
    return {"engine": engine, "load": load, "build": build, "dbt": _dbt_seconds(output)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="demo", help="demo and/or lead counts (1m)")
    parser.add_argument("--engines", default="duckdb,postgres,spark")
    args = parser.parse_args()
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    env = dict(os.environ)
    server = None
    if "postgres" in engines:
        server = tempfile.mkdtemp(prefix="bench-pg-")
        env.update(
            {
                "SLA_REPORT_PG_HOST": "127.0.0.1",
                "SLA_REPORT_PG_PORT": str(_free_port()),
                "SLA_REPORT_PG_USER": "sla_report",
                "SLA_REPORT_PG_DATABASE": "sla_report",
                "SLA_REPORT_PG_DIR": server,
                "DBT_ENV_SECRET_PG_PASSWORD": secrets.token_urlsafe(18),
            }
        )
        subprocess.run([str(ROOT / "scripts" / "postgres"), "start"], env=env, check=True)
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-engines-") as scratch:
            for size in (s.strip() for s in args.sizes.split(",") if s.strip()):
                if size == "demo":
                    raw = ROOT / "seeds" / "raw"
                else:
                    raw = Path(scratch) / f"raw-{size}"
                    write_scaled_data(raw, parse_size(size), "parquet")
                for engine in engines:
                    result = {"size": size, **bench_engine(engine, raw, Path(scratch) / size, env)}
                    results.append(result)
                    print(
                        f"{size:>5} {engine:>8}: load {result['load']:6.1f} s, "
                        f"build {result['build']:6.1f} s (dbt {result['dbt'] or 0:.1f} s)",
                        flush=True,
                    )
    finally:
        if server:
            subprocess.run([str(ROOT / "scripts" / "postgres"), "stop"], env=env, check=False)
    print("\n| Size | Engine | Load | Build | dbt | Build vs DuckDB |")
    print("|---|---|---:|---:|---:|---:|")
    for result in results:
        base = next(
            (
                r["build"]
                for r in results
                if r["size"] == result["size"] and r["engine"] == "duckdb"
            ),
            None,
        )
        ratio = f"{result['build'] / base:.2f}x" if base else "-"
        load = f"{result['load']:.1f} s" if result["engine"] != "duckdb" else "-"
        print(
            f"| {result['size']} | {result['engine']} | {load} | {result['build']:.1f} s | "
            f"{result['dbt'] or 0:.1f} s | {ratio} |"
        )


if __name__ == "__main__":
    main()
