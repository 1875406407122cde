"""The same models on PostgreSQL and Apache Spark, proven row for row (issue #13).

Each engine gets the demo's raw tables through `sla-report load`, then a
full `sla-report build --target NAME --unit-tests` (every model, data test
and unit test on that engine). Every report table is then compared with the
DuckDB demo build: same columns, same row count, numbers within 1e-9, all
else equal; and the site's summary.json matches.

The warehouse tables are read here without the project's code: PostgreSQL
through psycopg2, Spark's tables from the Parquet files it wrote, by DuckDB.

PostgreSQL runs on a throwaway server (scripts/postgres: installs Debian's
postgresql if missing, its own data directory, 127.0.0.1, a random port and
password). Spark runs in-process (pyspark local mode, Java 17): every Spark
test's commands run in this pytest process, in one project folder, so they
share one JVM, as `sla-report load` then `build` share it in one shell
session of a team's own. A cold JVM spends most of a first build compiling
Spark's own code; the second build in a warm one took 40% less CPU. Both
engines are slow-ish, so `-m "not warehouse"` skips them locally; CI runs
them, and a missing Java or PostgreSQL fails there instead of skipping.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import chdir
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, copy_project

pytestmark = pytest.mark.warehouse

CLI = [sys.executable, "-m", "generator"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TOLERANCE = 1e-9


def _report_models() -> list[str]:
    return sorted(path.stem for path in (ROOT / "models" / "reports").glob("rpt_*.sql"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(command: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=3600, check=False
    )
    print(f"$ {' '.join(command[2:])}\n{result.stdout}{result.stderr}")
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def _require_java() -> None:
    if shutil.which("java") is None:
        _unavailable("Java is not installed: Spark needs Java 17")


@pytest.fixture(scope="module")
def postgres():
    """Start a throwaway PostgreSQL server; yield the environment a build needs."""
    password = "pg-" + secrets.token_urlsafe(18)
    env = {
        **os.environ,
        "SLA_REPORT_PG_HOST": "127.0.0.1",
        "SLA_REPORT_PG_PORT": str(_free_port()),
        "SLA_REPORT_PG_USER": "sla_report",
        "SLA_REPORT_PG_DATABASE": "sla_report",
        # Not under pytest's tmp folder: the server runs as the postgres
        # user, who cannot enter root's private pytest folders.
        "SLA_REPORT_PG_DIR": tempfile.mkdtemp(prefix="sla-report-pg-"),
        "DBT_ENV_SECRET_PG_PASSWORD": password,
    }
    if not IN_CI and not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        _unavailable("PostgreSQL is not installed (scripts/postgres installs it; CI does)")
    subprocess.run([str(ROOT / "scripts" / "postgres"), "start"], env=env, check=True, timeout=600)
    try:
        yield env
    finally:
        subprocess.run(
            [str(ROOT / "scripts" / "postgres"), "stop"], env=env, check=False, timeout=120
        )


def _in_a_subprocess(project: Path, env: dict):
    """Return run(arguments): `sla-report ARGUMENTS` in a new process, from the project."""

    def run(arguments: list[str]) -> str:
        result = _run([*CLI, *arguments], project, env)
        return result.stdout + result.stderr

    return run


def _in_this_process(project: Path):
    """Return run(arguments): `sla-report ARGUMENTS` in this process, from the project.

    In this process, so that every Spark command shares one JVM (the module's
    docstring); from the project folder, so that a file Spark wrote where the
    command ran would be found there (test_spark_build_ran_...).
    """
    from click.testing import CliRunner

    from generator.cli import cli

    def run(arguments: list[str]) -> str:
        with chdir(project):
            result = CliRunner().invoke(cli, arguments)
        print(f"$ sla-report {' '.join(arguments)}\n{result.output}")
        assert result.exit_code == 0, result.output
        return result.output

    return run


def _engine_build(project: Path, target: str, run) -> tuple[Path, Path, str]:
    """Load the demo's raw tables into the target and build from there.

    `run(arguments)` runs `sla-report ARGUMENTS` from the project and returns
    its output. Returns the project, the built site and the build's output.
    """
    out = project / "build" / "site"
    run(["load", "--target", target])
    output = run(
        ["build", "--target", target, "--as-of", "2015-10-15", "--unit-tests", "--out", str(out)]
    )
    return project, out, output


@pytest.fixture(scope="module")
def postgres_build(tmp_path_factory, postgres):
    project = copy_project(tmp_path_factory.mktemp("postgres-project"))
    return _engine_build(project, "postgres", _in_a_subprocess(project, postgres))


# See spark_project.
SPARK_JIT_OPTION = "-XX:CompileThresholdScaling=10"


@pytest.fixture(scope="module")
def spark_project(tmp_path_factory) -> Iterator[Path]:
    """The project every Spark test builds in; its Spark session stops after the last.

    The session interprets expressions rather than compile Java for each
    query (profiles.yml, SLA_REPORT_SPARK_CODEGEN): the same results, and a
    fifth less CPU on these small tables, most of it the JVM's compilers.
    Those compilers also wait for a method to be called ten times as often
    as by default before compiling it (SLA_REPORT_SPARK_JAVA_OPTIONS): a
    short run calls most of Spark's code too few times to repay compiling it.
    """
    _require_java()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SLA_REPORT_SPARK_CODEGEN", "NO_CODEGEN")
        patch.setenv("SLA_REPORT_SPARK_JAVA_OPTIONS", SPARK_JIT_OPTION)
        yield copy_project(tmp_path_factory.mktemp("spark-project"))
    spark = _running_spark()
    if spark is not None:
        spark.stop()


def _running_spark():
    """Return the Spark session this process runs (dbt-spark's), or None: never start one.

    getActiveSession is per thread and dbt-spark opens its session in a
    worker thread, so this asks for the process's SparkContext (a private
    attribute pyspark has long had; without it, None).
    """
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    if getattr(SparkContext, "_active_spark_context", None) is None:
        return None
    # With a context running, getOrCreate returns dbt-spark's session, its settings kept.
    return SparkSession.builder.getOrCreate()


@pytest.fixture(scope="module")
def spark_build(spark_project) -> tuple[Path, Path, str]:
    return _engine_build(spark_project, "spark", _in_this_process(spark_project))


def _empty_spark_warehouse() -> None:
    """Drop every schema but Spark's `default`, tables and all, as in a new warehouse."""
    spark = _running_spark()
    assert spark is not None, "no Spark session in this process: run spark_build first"
    schemas = [row[0] for row in spark.sql("show schemas").collect()]
    assert "raw" in schemas and "analytics" in schemas, schemas
    for schema in schemas:
        if schema != "default":
            spark.sql(f"drop schema `{schema}` cascade")
    assert [row[0] for row in spark.sql("show schemas").collect()] == ["default"]


# -- reading each engine's tables, independently of the project's code ----------


def _duckdb_rows(database: Path, model: str) -> tuple[list[str], list[tuple]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        cursor = connection.execute(f'select * from main."{model}"')
        return [c[0] for c in cursor.description], cursor.fetchall()


def _postgres_rows(env: dict, model: str) -> tuple[list[str], list[tuple]]:
    import psycopg2

    with (
        psycopg2.connect(
            host=env["SLA_REPORT_PG_HOST"],
            port=int(env["SLA_REPORT_PG_PORT"]),
            user=env["SLA_REPORT_PG_USER"],
            dbname=env["SLA_REPORT_PG_DATABASE"],
            password=env["DBT_ENV_SECRET_PG_PASSWORD"],
        ) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute(f'select * from analytics."{model}"')
        return [c[0] for c in cursor.description], cursor.fetchall()


def _spark_rows(project: Path, model: str) -> tuple[list[str], list[tuple]]:
    folder = project / "build" / "spark-warehouse" / "analytics.db" / model
    files = sorted(folder.glob("*.parquet"))
    with duckdb.connect() as connection:
        connection.execute("set TimeZone = 'UTC'")
        if not files:  # a table with no rows may leave no data file
            return [], []
        cursor = connection.execute(
            f"select * from read_parquet({[str(path) for path in files]!r})"
        )
        return [c[0] for c in cursor.description], cursor.fetchall()


def _normal(value):
    """Return a comparable form: numbers as float, timestamps naive, the rest as is."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float) or type(value).__name__ == "Decimal":
        return float(value)
    if isinstance(value, datetime):
        return (
            value.replace(tzinfo=None)
            if value.tzinfo is None
            else value.astimezone(tz=None).replace(tzinfo=None)
        )
    return value


def _sort_key(row: tuple) -> tuple:
    # Floats rounded for sorting only: noise at 1e-12 must not reorder rows.
    return tuple(
        (0, "")
        if value is None
        else (1, round(value, 6))
        if isinstance(value, float)
        else (2, str(value))
        for value in row
    )


def _differences(
    model: str, expected: tuple[list[str], list[tuple]], actual: tuple[list[str], list[tuple]]
) -> list[str]:
    names, rows = expected
    actual_names, actual_rows = actual
    if len(rows) != len(actual_rows):
        return [f"{model}: {len(rows)} rows on DuckDB, {len(actual_rows)} here"]
    if not rows:
        return []
    if [n.lower() for n in names] != [n.lower() for n in actual_names]:
        return [f"{model}: columns {names} on DuckDB, {actual_names} here"]
    left = sorted((tuple(_normal(v) for v in row) for row in rows), key=_sort_key)
    right = sorted((tuple(_normal(v) for v in row) for row in actual_rows), key=_sort_key)
    found = []
    for number, (a, b) in enumerate(zip(left, right, strict=True)):
        for name, x, y in zip(names, a, b, strict=True):
            same = (
                math.isclose(x, y, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
                if isinstance(x, float) and isinstance(y, float)
                else x == y
            )
            if not same:
                found.append(f"{model} row {number} {name}: DuckDB {x!r}, here {y!r}")
    return found[:20]


def _compare_with_duckdb(demo_build, read) -> dict[str, int]:
    config, _ = demo_build
    counts, problems = {}, []
    for model in _report_models():
        expected = _duckdb_rows(config.database_path, model)
        problems += _differences(model, expected, read(model))
        counts[model] = len(expected[1])
    assert not problems, "\n".join(problems)
    print(f"{len(counts)} report tables equal to DuckDB's, {sum(counts.values())} rows: {counts}")
    return counts


def _statuses_by_kind(project: Path) -> dict[str, set[str]]:
    """Return the statuses dbt gave each kind of node (model, seed, test, unit_test)."""
    results = json.loads((project / "build" / ".site-work" / "run_results.json").read_text())
    statuses: dict[str, set[str]] = {}
    for result in results["results"]:
        statuses.setdefault(result["unique_id"].split(".")[0], set()).add(result["status"])
    return statuses


def _summary_without_build_time(site: Path) -> dict:
    summary = json.loads((site / "summary.json").read_text(encoding="utf-8"))
    summary.pop("built_at", None)
    return summary


def _assert_same_summary(demo_site: Path, site: Path) -> None:
    expected, actual = _summary_without_build_time(demo_site), _summary_without_build_time(site)

    def close(a, b, path="summary"):
        if isinstance(a, dict):
            assert set(a) == set(b), path
            for key in a:
                close(a[key], b[key], f"{path}.{key}")
        elif isinstance(a, list):
            assert len(a) == len(b), path
            for index, (x, y) in enumerate(zip(a, b, strict=True)):
                close(x, y, f"{path}[{index}]")
        elif isinstance(a, float) or isinstance(b, float):
            assert a is not None and b is not None, (path, a, b)
            assert math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE), (path, a, b)
        else:
            assert a == b, (path, a, b)

    close(expected, actual)


# -- PostgreSQL -----------------------------------------------------------------


def test_postgres_report_tables_equal_duckdb_row_for_row(demo_build, postgres, postgres_build):
    counts = _compare_with_duckdb(demo_build, lambda model: _postgres_rows(postgres, model))
    assert counts["rpt_kpi_scorecard"] > 0


def test_postgres_site_summary_equals_duckdb(demo_site, postgres_build):
    _, site, _ = postgres_build
    _assert_same_summary(demo_site, site)


def test_postgres_build_ran_every_model_data_and_unit_test(postgres_build):
    project, _, output = postgres_build
    statuses = _statuses_by_kind(project)
    assert statuses["model"] == statuses["seed"] == {"success"}
    assert statuses["test"] == {"pass"}
    assert statuses["unit_test"] == {"pass"}
    assert "target postgres is a postgres warehouse: full build" in output


def test_postgres_password_is_written_nowhere(postgres, postgres_build):
    """Credentials come from the environment only: not in a log, artifact or page."""
    password = postgres["DBT_ENV_SECRET_PG_PASSWORD"].encode()
    project, site, output = postgres_build
    assert password.decode() not in output
    checked = 0
    for folder in (project, site):
        for path in folder.rglob("*"):
            if path.is_file():
                checked += 1
                assert password not in path.read_bytes(), path
    assert checked > 50
    assert "DBT_ENV_SECRET_PG_PASSWORD" in (ROOT / "profiles.yml").read_text()


def test_load_refuses_embedded_duckdb_and_build_refuses_data_on_a_warehouse(tmp_path):
    project = copy_project(tmp_path / "project")
    load = subprocess.run(
        [*CLI, "load", "--target", "duckdb"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert load.returncode == 3, load.stderr
    assert "reads raw files directly: sla-report build --data DIR" in load.stderr
    build = subprocess.run(
        [*CLI, "build", "--target", "postgres", "--data", str(project)],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 3, build.stderr
    assert "sla-report load --target postgres --data" in build.stderr
    unknown = subprocess.run(
        [*CLI, "build", "--target", "oracle"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert unknown.returncode == 3
    assert "no such target" in unknown.stderr and "postgres" in unknown.stderr


def _crm_export_builds_the_same_site(
    name: str, target: str, run, project: Path, export_build
) -> None:
    """Load a CRM's export into the target and build from it; the site must equal DuckDB's.

    `run(arguments)` runs `sla-report ARGUMENTS` from `project`.
    """
    from tests.crm_exports import HS_SETTINGS, SF_SETTINGS

    settings = SF_SETTINGS if name == "salesforce" else HS_SETTINGS
    # The export and the site DuckDB builds from its files, as the source-build
    # and pull tests use them (conftest.export_build, built once per run); the
    # Salesforce one has Data Loader's upper-case headers.
    _, export, files_site, _ = export_build(
        "salesforce-dataloader" if name == "salesforce" else "hubspot"
    )
    (project / "crm_source.yml").write_text(settings, encoding="utf-8")
    run(["load", "--target", target, "--source", name, "--data", str(export)])
    warehouse_site = project / "build" / f"{name}-site"
    run(
        [
            "build",
            "--target",
            target,
            "--source",
            name,
            "--as-of",
            "2015-10-15",
            "--out",
            str(warehouse_site),
        ]
    )
    _assert_same_summary(files_site, warehouse_site)
    kpis = json.loads((warehouse_site / "summary.json").read_text())["kpis"]
    assert sum(1 for kpi in kpis if kpi.get("status") != "no_data") >= 15


@pytest.mark.parametrize("name", ["salesforce", "hubspot"])
def test_a_crm_export_loaded_into_postgres_builds_the_same_site(
    name, postgres, tmp_path, export_build
):
    """Another CRM's staging models on PostgreSQL: `load --source` renames the
    export's headers to the names staging reads, and the site equals the one
    DuckDB builds from the files."""
    project = copy_project(tmp_path / "project")
    run = _in_a_subprocess(project, postgres)
    _crm_export_builds_the_same_site(name, "postgres", run, project, export_build)


def test_a_failing_check_on_postgres_is_named_with_its_model(postgres, postgres_build, tmp_path):
    """Issue #23: a model's checks are one dbt test, which stores its failing
    checks as a view; the CLI names them, read through dbt's adapter. Last of
    the PostgreSQL tests: it stops a build in the shared database."""
    project = copy_project(tmp_path / "project")
    reps = project / "models" / "staging" / "crm" / "stg_crm__reps.yml"
    reps.write_text(reps.read_text().replace("values: [sales, marketing]", "values: [sales]"))
    result = subprocess.run(
        [*CLI, "build", "--target", "postgres", "--as-of", "2015-10-15", "--out", "build/site"],
        cwd=project,
        env=postgres,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 4, output
    assert (
        "stg_crm__reps checks: accepted_values(team) where quarantine_reason is null fails on"
        in output
    ), output
    assert not (project / "build" / "site").exists()


# -- Apache Spark ---------------------------------------------------------------


def test_spark_report_tables_equal_duckdb_row_for_row(demo_build, spark_build):
    project, _, _ = spark_build
    counts = _compare_with_duckdb(demo_build, lambda model: _spark_rows(project, model))
    assert counts["rpt_kpi_scorecard"] > 0


def test_spark_site_summary_equals_duckdb(demo_site, spark_build):
    _, site, _ = spark_build
    _assert_same_summary(demo_site, site)


def test_spark_build_ran_every_model_data_and_unit_test(spark_build):
    project, _, _ = spark_build
    statuses = _statuses_by_kind(project)
    assert statuses["model"] == statuses["seed"] == {"success"}
    assert statuses["test"] == statuses["unit_test"] == {"pass"}
    # Spark's files stay in the build folder (git-ignored), not where the command ran.
    assert (project / "build" / "spark-warehouse" / "analytics.db").is_dir()
    assert not (project / "metastore_db").exists() and not (project / "derby.log").exists()
    # The profile's settings reached the session (spark_project's NO_CODEGEN among them).
    spark = _running_spark()
    assert spark.conf.get("spark.sql.codegen.factoryMode") == "NO_CODEGEN"
    assert spark.conf.get("spark.sql.shuffle.partitions") == "4"
    # ...and the JVM itself was started with the profile's options and spark_project's.
    runtime = spark.sparkContext._jvm.java.lang.management.ManagementFactory.getRuntimeMXBean()
    started_with = list(runtime.getInputArguments())
    assert {"-XX:+UseSerialGC", SPARK_JIT_OPTION} <= set(started_with), started_with


def test_a_hubspot_export_loaded_into_spark_builds_the_same_site(spark_build, export_build):
    """HubSpot's staging (epoch milliseconds, pipeline stages) on Spark.

    Last of the Spark tests: in their project and JVM, from a warehouse
    emptied first (every schema the demo's load and build made), so nothing
    of the demo's can stand in for what HubSpot's load and build must make.
    """
    project, _, _ = spark_build
    _empty_spark_warehouse()
    run = _in_this_process(project)
    _crm_export_builds_the_same_site("hubspot", "spark", run, project, export_build)
