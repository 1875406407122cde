"""Benchmark: the whole `sla-report build --data` against plain DuckDB running the same SQL.

Generates the demo raw data at a given scale, builds the report once (timed by
stage), then replays every model's compiled SQL from that build's manifest,
in dependency order, in a fresh DuckDB file: the floor any SQL pipeline on
this machine would pay. Prints both and their ratio, measured in one run
(machines here are noisy: compare ratios, not seconds).

    python benchmarks/bench_build.py --scale 10
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from generator.build import build_report
from generator.config import make_config, project_root
from generator.demo_data import write_demo_data


def replay_sql(manifest: dict, database: Path, project_dir: Path) -> float:
    """Run every seed load and model of the manifest in plain DuckDB; return seconds."""
    nodes = manifest["nodes"]
    order = _topological(manifest)
    started = time.perf_counter()
    with duckdb.connect(str(database)) as connection:
        connection.execute("set TimeZone = 'UTC'")
        for unique_id in order:
            node = nodes[unique_id]
            schema = node["schema"]
            connection.execute(f'create schema if not exists "{schema}"')
            relation = f'"{schema}"."{node["alias"]}"'
            if node["resource_type"] == "seed":
                path = project_dir / node["original_file_path"]
                types = node["config"].get("column_types") or {}
                columns = ", ".join(f"'{c}': '{t}'" for c, t in types.items())
                connection.execute(f"create table {relation} as select * from read_csv("
                                   f"'{path}', header = true, columns = {{{columns}}})")
            elif node["resource_type"] == "model":
                kind = "view" if node["config"]["materialized"] in ("view", "ephemeral") \
                    else "table"
                connection.execute(f"create {kind} {relation} as {node['compiled_code']}")
    return time.perf_counter() - started


def _topological(manifest: dict) -> list[str]:
    wanted = {uid for uid, n in manifest["nodes"].items()
              if n["resource_type"] in ("model", "seed") and n["config"].get("enabled", True)}
    done: list[str] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen:
            return
        seen.add(uid)
        for parent in manifest["parent_map"].get(uid, []):
            if parent in wanted:
                visit(parent)
        done.append(uid)

    for uid in sorted(wanted):
        visit(uid)
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sla-bench-"))
    try:
        counts = write_demo_data(work / "raw", scale=args.scale)
        raw_rows = sum(counts.values())
        config = make_config(data=str(work / "raw"), as_of="2015-10-15",
                             out=str(work / "site"))
        started = time.perf_counter()
        summary = build_report(config)
        total = time.perf_counter() - started
        manifest = json.loads((config.work_dir / "manifest.json").read_text())
        database_name = config.database_path.stem
        plain_dir = work / "plain"
        plain_dir.mkdir()
        plain = replay_sql(manifest, plain_dir / f"{database_name}.duckdb", project_root())
        print(f"raw rows: {raw_rows:,} ({counts['leads']:,} leads, "
              f"{counts['lead_activities']:,} activities), scale {args.scale:g}")
        print(f"sla-report build: {total:.1f} s (dbt build incl. tests {summary.dbt_seconds:.1f}"
              f" s, pages + MkDocs {total - summary.dbt_seconds:.1f} s), {summary.pages} pages")
        print(f"plain DuckDB, same compiled SQL (no tests): {plain:.1f} s")
        print(f"ratio build / plain SQL: {total / plain:.2f}x; "
              f"dbt build / plain SQL: {summary.dbt_seconds / plain:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
