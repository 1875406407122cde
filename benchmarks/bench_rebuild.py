"""Benchmark: how long a rebuild takes after each kind of edit, on the demo (issue #10).

Copies the project into a scratch folder, builds it once, then times the
whole `sla-report build` process (interpreter start to published site) after:

1. a text edit (an agreement text): pages re-rendered, no dbt;
2. a one-model edit (fct_sales_kpis.sql): that model and its downstream with
   their tests, in a copy of the last good database;
3. a full build (`--full`): every seed, model and test;

plus how fast a typo in an agreement text is reported (checked before dbt).
Each edit is timed `--repeat` times; the median is printed. The machine is
shared and noisy: compare the ratios, measured in one run.

    python benchmarks/bench_rebuild.py --repeat 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PARTS = (
    "models",
    "macros",
    "seeds",
    "data-tests",
    "site",
    "dbt_project.yml",
    "profiles.yml",
    "mkdocs.yml",
)


def copy_project(target: Path) -> Path:
    """Copy what a build reads into target."""
    target.mkdir(parents=True)
    for name in PROJECT_PARTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)
    return target


def timed_build(project: Path, out: Path, *extra: str, expect: int = 0) -> tuple[float, str]:
    """Run one whole build process; return (seconds, its first output line)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--out", str(out), *extra],
        cwd=project,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if result.returncode != expect:
        raise SystemExit(f"build exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return seconds, (result.stdout or result.stderr).strip().splitlines()[0]


def main() -> None:
    """Print the three rebuild times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs per edit.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sla-bench-") as scratch:
        project = copy_project(Path(scratch) / "project")
        out = Path(scratch) / "site"
        seconds, line = timed_build(project, out)
        print(f"first build (not timed below): {seconds:.1f} s  [{line}]")

        text = project / "site" / "agreements" / "2015-h2.md"
        model = project / "models" / "marts" / "fct_sales_kpis.sql"
        original_sql = model.read_text(encoding="utf-8")
        times: dict[str, list[float]] = {
            "text edit": [],
            "one-model edit": [],
            "full": [],
            "typo reported": [],
        }
        decisions: dict[str, str] = {}
        for run in range(args.repeat):
            text.write_text(text.read_text(encoding="utf-8") + f"\nEdit {run}.\n", encoding="utf-8")
            seconds, decisions["text edit"] = timed_build(project, out)
            times["text edit"].append(seconds)

            model.write_text(original_sql + f"\n-- edit {run}\n", encoding="utf-8")
            seconds, decisions["one-model edit"] = timed_build(project, out)
            times["one-model edit"].append(seconds)

            seconds, decisions["full"] = timed_build(project, out, "--full")
            times["full"].append(seconds)

            good = text.read_text(encoding="utf-8")
            text.write_text(good + '\n{{ kpi("winrate") }}\n', encoding="utf-8")
            seconds, decisions["typo reported"] = timed_build(project, out, expect=3)
            times["typo reported"].append(seconds)
            text.write_text(good, encoding="utf-8")

    full = statistics.median(times["full"])
    print(f"\nWhole `sla-report build` process on the demo, median of {args.repeat}:")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"  {name:<15} {median:5.1f} s  ({median / full:4.0%} of full)  "
            f"runs: {', '.join(f'{v:.1f}' for v in values)}"
        )
        print(f"  {'':<15} {decisions[name]}")


if __name__ == "__main__":
    main()
