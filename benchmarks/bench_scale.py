"""Benchmark: the whole `sla-report build` at growing sizes, against plain DuckDB (issue #8),
and the analyst's loop after it (issue #23).

For each size (leads) it writes raw files (benchmarks/scaled_data.py) and
builds a copy of the project, then, `--repeat` times, in fresh processes:

1. the whole build, `sla-report build --data DIR --full`, every data test
   included: wall time per stage (from the build's final line) and peak RSS;
2. plain DuckDB executing the same compiled model SQL (from that build's
   manifest, in dependency order, the same settings, no dbt, no tests): the
   floor any SQL pipeline pays on this machine.

Then the loop, `--loop-repeat` times each, each a fresh `sla-report build`
process after one edit of the copy: an agreement text (pages only, no dbt),
one mart model's SQL (it and its downstream) and a reference seed (the
revenue goal).

It prints the medians per size: time per stage, peak RSS, the ratio of the
two (measured in the same run: these machines are noisy, compare ratios),
the three edits, pages and site size. `--demo` adds the demo build (no
--data); `--reps` builds one size with more reps, to show the site grows
linearly with them.

    python benchmarks/bench_scale.py                        # 10k, 100k, 1M leads
    python benchmarks/bench_scale.py --sizes 10m --repeat 1 --memory-limit 8GB
    python benchmarks/bench_scale.py --sizes 100k --reps 13,130,500 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_rebuild import copy_project  # noqa: E402
from benchmarks.scaled_data import write_scaled_data  # noqa: E402

AS_OF = "2015-10-15"
DECISION = re.compile(r": full build$|re-rendering pages|; rebuilding ")
FINAL_LINE = re.compile(r"in (?P<total>[\d.]+) s \(dbt (?P<dbt>[\d.]+) s; (?P<stages>.*)\)\.$")


def parse_size(text: str) -> int:
    """'10k' -> 10000, '1m' -> 1000000, '2500' -> 2500."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([km]?)", text.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 10k, 1m)")
    return int(float(match.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2)])


def run_with_rss(command: list[str], cwd: Path) -> tuple[float, int, str]:
    """Run a process; return (wall seconds, its own peak RSS in bytes, stdout)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"failed ({code}): {' '.join(command)}\n{stdout}\n{stderr}")
    return seconds, usage.ru_maxrss * 1024, stdout


def measure_build(
    raw: Path | None, out: Path, memory_limit: str | None, project: Path, full: bool = True
) -> dict:
    """One whole build process of `project`: stage timings, peak RSS, pages, site size."""
    command = [
        sys.executable,
        "-m",
        "generator",
        "build",
        "--project-dir",
        str(project),
        "--out",
        str(out),
        "--as-of",
        AS_OF,
    ]
    if full:
        command.append("--full")
    if raw is not None:
        command += ["--data", str(raw)]
    if memory_limit:
        command += ["--memory-limit", memory_limit]
    seconds, rss, stdout = run_with_rss(command, ROOT)
    lines = stdout.strip().splitlines()
    final = next((line for line in reversed(lines) if line.startswith("Built ")), "")
    match = FINAL_LINE.search(final)
    stages = (
        {
            name: float(value)
            for name, value in re.findall(
                r"([a-zA-Z][a-zA-Z ]*?) ([\d.]+) s", match.group("stages")
            )
        }
        if match
        else {}
    )
    html = list(out.rglob("*.html"))
    return {
        "seconds": seconds,
        "rss": rss,
        # The build's one line saying what it rebuilds, and why.
        "decision": next((line for line in lines if DECISION.search(line)), ""),
        "stages": stages,
        "pages": len(html),
        "site_bytes": sum(p.stat().st_size for p in out.rglob("*") if p.is_file()),
        "index_bytes": (out / "index.html").stat().st_size,
        "dbt_profile": dbt_profile(out.parent / f".{out.name}-work" / "run_results.json"),
    }


def dbt_profile(run_results: Path) -> dict:
    """Where a build's dbt time went, from its run_results.json: the time dbt's
    run took, the time its nodes took (summed over dbt's threads) by kind, and
    the slowest nodes."""
    if not run_results.is_file():
        return {}
    document = json.loads(run_results.read_text(encoding="utf-8"))
    by_kind: dict[str, float] = {}
    for result in document["results"]:
        kind = result["unique_id"].split(".")[0]
        by_kind[kind] = by_kind.get(kind, 0.0) + result["execution_time"]
    slowest = sorted(document["results"], key=lambda result: -result["execution_time"])[:5]
    return {
        "run": document["elapsed_time"],
        "nodes": len(document["results"]),
        "by_kind": by_kind,
        "slowest": [
            (_node_name(result["unique_id"]), result["execution_time"]) for result in slowest
        ],
    }


def _node_name(unique_id: str) -> str:
    """Return a node's name from its unique id; a data test's ends in a hash of its arguments."""
    parts = unique_id.split(".")
    if parts[0] == "test" and len(parts) > 3:
        return f"{parts[2][:40]} (test)"
    return parts[-1]


def measure_plain(manifest: Path, scratch: Path, memory_limit: str | None) -> dict:
    """Plain DuckDB running the build's compiled model SQL, in its own process."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--replay",
        str(manifest),
        "--replay-dir",
        str(scratch),
    ]
    if memory_limit:
        command += ["--memory-limit", memory_limit]
    seconds, rss, _ = run_with_rss(command, ROOT)
    return {"seconds": seconds, "rss": rss}


def replay(manifest_path: Path, folder: Path, memory_limit: str | None) -> None:
    """Execute every seed and model of a manifest in a fresh DuckDB, as dbt ran them.

    The same layout as the build: the file database named like dbt's, a
    `scratch` file of its own for staging and intermediate (issue #23: the
    build keeps them for the next edit), the profile's settings. Seeds are
    loaded with their declared column types.
    """
    import duckdb

    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    nodes = manifest["nodes"]
    databases = {
        node["database"] for node in nodes.values() if node["resource_type"] in ("model", "seed")
    }
    main = next(name for name in databases if name != "scratch")
    folder.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(folder / f"{main}.duckdb"))
    connection.execute("set TimeZone = 'UTC'; set preserve_insertion_order = false")
    connection.execute(f"set temp_directory = '{folder / 'tmp'}'")
    if memory_limit:
        connection.execute(f"set memory_limit = '{memory_limit}'")
    if "scratch" in databases:
        connection.execute(f"attach '{folder / 'scratch.duckdb'}' as scratch")
    for unique_id in _topological(manifest):
        node = nodes[unique_id]
        relation = f'"{node["database"]}"."{node["schema"]}"."{node["alias"]}"'
        connection.execute(f'create schema if not exists "{node["database"]}"."{node["schema"]}"')
        if node["resource_type"] == "seed":
            path = Path(node["root_path"]) / node["original_file_path"]
            types = node["config"].get("column_types") or {}
            columns = ", ".join(f"'{c}': '{t}'" for c, t in types.items())
            options = f", columns = {{{columns}}}" if columns else ""
            connection.execute(
                f"create table {relation} as select * from read_csv("
                f"'{path}', header = true{options})"
            )
        else:
            connection.execute(f"create table {relation} as {node['compiled_code']}")
    connection.close()


def _topological(manifest: dict) -> list[str]:
    wanted = {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed") and node["config"].get("enabled", True)
    }
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


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def _stage_medians(runs: list[dict]) -> dict[str, float]:
    names = list(runs[0]["stages"])
    return {name: statistics.median(run["stages"].get(name, 0.0) for run in runs) for name in names}


def bench_size(label: str, leads: int | None, work: Path, args, reps: int | None = None) -> dict:
    """Measure one size `args.repeat` times, then its loop; return the medians."""
    raw = None
    counts = {
        table: sum(1 for _ in path.open(encoding="utf-8")) - 1
        for table, path in ((p.stem, p) for p in (ROOT / "seeds" / "raw").glob("*.csv"))
    }
    if leads is not None:
        raw = work / f"raw-{label}"
        counts = _scaled_data(raw, leads, args.format, reps)
    project = work / f"project-{label}"
    shutil.rmtree(project, ignore_errors=True)
    copy_project(project)
    out = work / f"site-{label}"
    builds, plains = [], []
    for attempt in range(args.repeat):
        builds.append(measure_build(raw, out, args.memory_limit, project))
        manifest = work / f".site-{label}-work" / "manifest.json"
        if not args.no_plain:
            plains.append(
                measure_plain(manifest, work / f"plain-{label}-{attempt}", args.memory_limit)
            )
            shutil.rmtree(work / f"plain-{label}-{attempt}", ignore_errors=True)
    result = {
        "label": label,
        "counts": counts,
        "dbt_profile": builds[-1]["dbt_profile"],
        "build": _median(builds, "seconds"),
        "rss": max(b["rss"] for b in builds),
        "stages": _stage_medians(builds),
        "pages": builds[-1]["pages"],
        "site_bytes": builds[-1]["site_bytes"],
        "index_bytes": builds[-1]["index_bytes"],
        "runs": len(builds),
    }
    if plains:
        result["plain"] = _median(plains, "seconds")
        result["plain_rss"] = max(p["rss"] for p in plains)
        # The ratio of each run's pair, then their median: both halves of a
        # pair ran back to back, under the same load.
        result["ratio"] = statistics.median(
            b["seconds"] / p["seconds"] for b, p in zip(builds, plains, strict=True)
        )
    if args.loop_repeat:
        result["loop"] = measure_loop(project, raw, out, args)
    _print_result(result)
    return result


def _scaled_data(raw: Path, leads: int, file_format: str, reps: int | None) -> dict[str, int]:
    """Write the raw files, or reuse those a run with --keep wrote with the same arguments."""
    record = raw.with_name(raw.name + ".json")
    wanted = {"leads": leads, "format": file_format, "reps": reps}
    if record.is_file() and raw.is_dir():
        kept = json.loads(record.read_text(encoding="utf-8"))
        if kept["arguments"] == wanted:
            return kept["counts"]
    shutil.rmtree(raw, ignore_errors=True)
    counts = write_scaled_data(raw, leads, file_format, reps)
    record.write_text(json.dumps({"arguments": wanted, "counts": counts}), encoding="utf-8")
    return counts


# The analyst's three edits (issue #23): the file, then the edit of run n
# (each run's text differs from the last, so every build sees a change),
# and the kind of build it must cause.
EDITS = {
    "text edit": (
        "site/agreements/2015-h2.md",
        lambda text, n: text + f"\nA sentence added in review {n}.\n",
        "re-rendering pages",
    ),
    "one-model edit": (
        "models/marts/fct_sales_kpis.sql",
        lambda text, n: text + f"\n-- edit {n}\n",
        "models changed: fct_sales_kpis",
    ),
    "seed edit": (
        "seeds/reference/sla_agreements.csv",
        lambda text, n: text.replace(",1600000,", f",{1600000 + n + 1},", 1),
        "changed: seeds/reference/sla_agreements.csv",
    ),
}


def measure_loop(project: Path, raw: Path | None, out: Path, args) -> dict:
    """Time each edit's rebuild `args.loop_repeat` times; return the medians and RSS."""
    loop = {}
    for name, (relative, edit, decision) in EDITS.items():
        path = project / relative
        original = path.read_text(encoding="utf-8")
        runs = []
        for n in range(args.loop_repeat):
            path.write_text(edit(original, n), encoding="utf-8")
            if edit(original, n) == original:
                raise SystemExit(f"the {name} changed nothing in {relative}")
            run = measure_build(raw, out, args.memory_limit, project, full=False)
            if decision not in run["decision"]:
                raise SystemExit(f"{name}: expected '{decision}', the build said {run['decision']}")
            runs.append(run)
        # Back to the original, built, so the next edit starts from it.
        path.write_text(original, encoding="utf-8")
        measure_build(raw, out, args.memory_limit, project, full=False)
        loop[name] = {
            "seconds": _median(runs, "seconds"),
            "rss": max(run["rss"] for run in runs),
            "decision": runs[-1]["decision"],
        }
    return loop


def _print_result(result: dict) -> None:
    counts = result["counts"]
    what = (
        f"{counts['leads']:,} leads, {counts['lead_activities']:,} activities, "
        f"{counts['reps']:,} reps"
    )
    print(f"\n== {result['label']}: {what}; median of {result['runs']}")
    print(
        f"   whole build {result['build']:.1f} s, peak RSS {result['rss'] / 2**30:.2f} GB, "
        f"{result['pages']} pages, site {result['site_bytes'] / 2**20:.1f} MB "
        f"(index.html {result['index_bytes'] / 1024:.0f} KB)"
    )
    print(
        "   stages: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result["stages"].items())
    )
    if "plain" in result:
        print(
            f"   plain DuckDB, same compiled model SQL: {result['plain']:.1f} s, peak RSS "
            f"{result['plain_rss'] / 2**30:.2f} GB; ratio build / plain "
            f"{result['ratio']:.2f}x"
        )
    profile = result.get("dbt_profile") or {}
    if profile:
        kinds = ", ".join(
            f"{kind}s {seconds:.1f} s" for kind, seconds in profile["by_kind"].items()
        )
        print(
            f"   dbt stage {result['stages'].get('dbt', 0):.1f} s: its run {profile['run']:.1f} s "
            f"({profile['nodes']} nodes; summed over threads: {kinds}), the rest parsing "
            "and starting up; slowest: "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in profile["slowest"])
        )
    for name, run in result.get("loop", {}).items():
        print(
            f"   {name}: {run['seconds']:.1f} s, peak RSS {run['rss'] / 2**30:.2f} GB "
            f"({run['seconds'] / result['build']:.0%} of the full build): {run['decision']}"
        )
    sys.stdout.flush()


# Issue #23's targets, by size label: (what, how to read it from a result, limit, unit).
TARGETS = {
    "1m": [
        ("full build", lambda r: r["build"], 20.0, "s"),
        ("full build's peak RSS", lambda r: r["rss"] / 2**30, 1.5, "GB"),
        ("full build / plain DuckDB", lambda r: r.get("ratio"), 1.5, "x"),
        (
            "one-model edit",
            lambda r: r.get("loop", {}).get("one-model edit", {}).get("seconds"),
            8.0,
            "s",
        ),
        ("text edit", lambda r: r.get("loop", {}).get("text edit", {}).get("seconds"), 2.0, "s"),
    ],
    "demo": [
        ("full build", lambda r: r["build"], 8.0, "s"),
        (
            "one-model edit",
            lambda r: r.get("loop", {}).get("one-model edit", {}).get("seconds"),
            5.0,
            "s",
        ),
        ("text edit", lambda r: r.get("loop", {}).get("text edit", {}).get("seconds"), 1.5, "s"),
    ],
}


def print_targets(results: list[dict]) -> None:
    """Say, for each of issue #23's targets measured, whether it was met, else by how much."""
    lines = []
    for result in results:
        for what, read, limit, unit in TARGETS.get(result["label"], []):
            value = read(result)
            if value is None:
                continue
            verdict = "met" if value <= limit else f"missed by {value - limit:.2f} {unit}"
            lines.append(
                f"  {result['label']} {what}: {value:.2f} {unit} (target <= {limit:g} {unit}): "
                f"{verdict}"
            )
    if lines:
        print("\nIssue #23's targets (where the time goes: the stage and dbt lines above):")
        print("\n".join(lines))


def print_table(results: list[dict]) -> None:
    """The Markdown table for the README's performance section."""
    print(
        "\n| Size | Leads | Activities | Whole build | dbt (models + data tests) | "
        "Peak RSS | Plain DuckDB | Ratio | Text edit | One-model edit | Seed edit | "
        "Pages | Site |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        counts = result["counts"]
        plain = f"{result['plain']:.1f} s" if "plain" in result else "–"
        ratio = f"{result['ratio']:.2f}x" if "ratio" in result else "–"
        loop = result.get("loop", {})
        edits = " | ".join(
            f"{loop[name]['seconds']:.1f} s" if name in loop else "–" for name in EDITS
        )
        print(
            f"| {result['label']} | {counts['leads']:,} | "
            f"{counts['lead_activities']:,} | {result['build']:.1f} s | "
            f"{result['stages'].get('dbt', 0):.1f} s | {result['rss'] / 2**30:.2f} GB | "
            f"{plain} | {ratio} | {edits} | {result['pages']} | "
            f"{result['site_bytes'] / 2**20:.1f} MB |"
        )
    cpu = platform.processor() or platform.machine()
    print(
        f"\nMachine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="10k,100k,1m", help="comma-separated lead counts: 10k,100k,1m,10m"
    )
    parser.add_argument("--demo", action="store_true", help="also time the demo build")
    parser.add_argument(
        "--reps", default="", help="comma-separated rep counts, built at the first size only"
    )
    parser.add_argument("--repeat", type=int, default=3, help="full builds per size")
    parser.add_argument(
        "--loop-repeat", type=int, default=3, help="builds per edit after them (0: no loop)"
    )
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 8GB")
    parser.add_argument("--no-plain", action="store_true", help="skip the plain DuckDB replay")
    parser.add_argument("--keep", type=Path, default=None, help="work here and keep it")
    parser.add_argument("--replay", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--replay-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replay:
        replay(args.replay, args.replay_dir, args.memory_limit)
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="sla-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        if args.demo:
            results.append(bench_size("demo", None, work, args))
        sizes = [size for size in args.sizes.split(",") if size.strip()]
        if args.reps:
            for reps in (int(r) for r in args.reps.split(",")):
                results.append(
                    bench_size(f"{sizes[0]}, {reps} reps", parse_size(sizes[0]), work, args, reps)
                )
        else:
            for size in sizes:
                results.append(bench_size(size, parse_size(size), work, args))
        print_table(results)
        print_targets(results)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
