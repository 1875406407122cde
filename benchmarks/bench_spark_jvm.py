"""Benchmark: local Spark's JVM settings, by the CPU a cold load and build take (issue #22).

For each setting, in a fresh process (a cold JVM each): a copy of the
project, then `sla-report load --target spark` and `sla-report build
--target spark --unit-tests` in that one process, sharing one JVM, as the
Spark tests run them. A setting is the code generation mode
(SLA_REPORT_SPARK_CODEGEN), then any JVM options
(SLA_REPORT_SPARK_JAVA_OPTIONS). It prints the CPU seconds of each phase,
the process's and the JVM's (read from /proc, as `make test`'s CPU report
reads them), and each total as a multiple of the first setting's in the
same run (these machines are noisy: compare the ratios).

    python benchmarks/bench_spark_jvm.py               # the default, then the tests' settings
    python benchmarks/bench_spark_jvm.py --repeat 2 \\
        --setting NO_CODEGEN --setting "NO_CODEGEN -XX:CompileThresholdScaling=10"
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import chdir
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_engines import project_copy  # noqa: E402

# What tests/test_warehouses.py's spark_project sets.
TEST_SETTING = "NO_CODEGEN -XX:CompileThresholdScaling=10"
DEFAULT_SETTINGS = ["FALLBACK", TEST_SETTING]


def measure_in_this_process(folder: Path) -> dict:
    """Load and build the demo on Spark in a copy of the project; return CPU seconds per phase."""
    from click.testing import CliRunner

    from generator.cli import cli
    from tests.cpu_time import tree_cpu_seconds

    project = project_copy(folder / "project")
    phases = {
        "load": ["load", "--target", "spark"],
        "build": ["build", "--target", "spark", "--as-of", "2015-10-15", "--unit-tests"]
        + ["--out", str(folder / "site")],
    }
    measured: dict[str, float] = {}
    started = time.perf_counter()
    with chdir(project):
        for phase, arguments in phases.items():
            before = tree_cpu_seconds()
            result = CliRunner().invoke(cli, arguments)
            if result.exit_code != 0:
                raise SystemExit(f"{phase} failed ({result.exit_code}):\n{result.output}")
            measured[phase] = tree_cpu_seconds() - before
    measured["wall"] = time.perf_counter() - started
    return measured


def measure(setting: str) -> dict:
    """Run one setting in a fresh process; return its figures."""
    codegen, _, java_options = setting.partition(" ")
    env = {
        **os.environ,
        "SLA_REPORT_SPARK_CODEGEN": codegen,
        "SLA_REPORT_SPARK_JAVA_OPTIONS": java_options.strip(),
    }
    with tempfile.TemporaryDirectory(prefix="bench-spark-") as folder:
        done = subprocess.run(
            [sys.executable, __file__, "--measure-in", folder],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise SystemExit(f"{setting}: {done.stdout[-2000:]}{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setting", action="append", help="CODEGEN [JVM OPTIONS ...]")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each setting, in turn")
    parser.add_argument("--measure-in", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure_in:
        print(json.dumps(measure_in_this_process(options.measure_in)))
        return
    settings = options.setting or DEFAULT_SETTINGS
    print(f"{'setting':48} {'load':>7} {'build':>7} {'total':>7} {'ratio':>6} {'wall':>7}")
    first: float | None = None
    for _ in range(options.repeat):
        for setting in settings:
            figures = measure(setting)
            total = figures["load"] + figures["build"]
            first = first or total
            print(
                f"{setting:48} {figures['load']:7.1f} {figures['build']:7.1f} {total:7.1f} "
                f"{total / first:6.2f} {figures['wall']:7.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
