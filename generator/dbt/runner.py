"""Run `dbt build` in-process (one parse per build) and keep its artifacts."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from generator.dbt.changes import Fingerprint, LastGoodBuild, Plan
from generator.dbt.checks import CHECKS_TEST, check_names
from generator.exceptions import DataTestError, InternalError
from generator.settings.build_config import BuildConfig
from generator.settings.profiles import profile_vars

log = logging.getLogger(__name__)

TEST_TYPES = {"test", "unit_test"}
FAILED = {"fail", "error", "runtime error"}


@dataclass(frozen=True)
class NodeResult:
    """The outcome of one dbt node (model, seed, data test or unit test)."""

    unique_id: str
    name: str
    resource_type: str
    status: str
    message: str
    failures: int | None
    path: str = ""
    """The node's file in the project (a model's SQL, a test's SQL or YAML)."""
    checks: tuple[str, ...] = ()
    """A `checks` test's checks, by name (issue #23: one test per model)."""
    failing_checks: tuple[tuple[str, int], ...] = ()
    """A failed `checks` test's failing checks: name and failing rows."""
    relation: str = ""
    """Where a `checks` test stored its failing checks."""


@dataclass(frozen=True)
class DbtBuild:
    """What a finished dbt build leaves for the generator."""

    manifest: dict
    results: list[NodeResult]
    seconds: float

    def of_type(self, *resource_types: str) -> list[NodeResult]:
        """Return the results of nodes of the given resource types."""
        return [result for result in self.results if result.resource_type in resource_types]


def run_dbt_build(
    config: BuildConfig,
    plan: Plan | None = None,
    fingerprint: Fingerprint | None = None,
    last: LastGoodBuild | None = None,
    on_event: Callable | None = None,
) -> DbtBuild:
    """Build the dbt nodes the plan names, raising a clear error that names what failed.

    A full build starts from empty databases, so a changed seed or model can
    never meet a stale table. A 'models' build runs `state:modified+` (plus the
    models whose files changed) in a copy of the last good database, reading
    the last good staging and intermediate tables (issue #23). Either way the
    result replaces the last good databases only on success.
    """
    from dbt.cli.main import dbtRunner  # slow import: only when a build runs

    # A partial build completes its manifest and results from the last good build.
    previous = last if plan is not None and plan.mode == "models" else None
    partial = previous is not None
    embedded = not config.target.is_warehouse
    _prepare_target(config, plan if partial else None)
    started = time.perf_counter()
    outcome = dbtRunner(callbacks=[on_event] if on_event else None).invoke(
        _dbt_arguments(config, plan if partial else None)
    )
    seconds = time.perf_counter() - started
    if embedded:
        _release_duckdb()
    if outcome.exception is not None:
        raise _classify_exception(outcome.exception)
    results = [_node_result(raw) for raw in getattr(outcome.result, "results", [])]
    results = _with_failing_checks(config, results)
    _raise_for_failures(results, config.project_dir)
    if not outcome.success:
        raise InternalError(
            f"dbt build failed without naming a node; see {config.work_dir / 'logs' / 'dbt.log'}"
        )
    # Read the manifest now: a later `dbt ls`/`parse` rewrites it without compiled SQL.
    manifest_path = config.target_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if previous is not None:
        manifest = _with_compiled_code_of(manifest, previous.manifest)
        results = _merged_results(manifest, previous.results, results)
    _keep_as_last_good(config, fingerprint, manifest, results)
    log.info("dbt build: %d nodes in %.1f s", len(results), seconds)
    return DbtBuild(manifest=manifest, results=results, seconds=seconds)


def _prepare_target(config: BuildConfig, partial: Plan | None) -> None:
    """Make the work folder and the fresh databases dbt builds into (embedded DuckDB).

    A full build writes both from nothing. A partial build starts from a copy
    of the last good report database. It reads the last good scratch file
    (staging and intermediate tables, issue #23) through a second link to
    it, since it rebuilds none of them, unless the edit reaches one: then it
    works on a copy. Either way dbt attaches the same path: a path that
    changed between builds would make dbt parse the whole project again.
    """
    config.work_dir.mkdir(parents=True, exist_ok=True)
    if config.target.is_warehouse:
        return
    for building in (config.building_database_path, config.building_scratch_path):
        for stale in (building, building.with_name(building.name + ".wal")):
            stale.unlink(missing_ok=True)
    if partial is None:
        return
    shutil.copy2(config.database_path, config.building_database_path)
    if partial.rebuilds_scratch:
        shutil.copy2(config.scratch_path, config.building_scratch_path)
    else:
        os.link(config.scratch_path, config.building_scratch_path)


# The flags every `dbt build` of a site gets, whatever it builds.
_DBT_BUILD_FLAGS = (
    # Parsing is most of a small build's dbt time. dbt's partial parsing
    # (partial_parse.msgpack in the target folder) re-reads only the
    # files whose hashes changed, and parses everything again by itself
    # when the vars (as_of, raw_files), the profile or dbt's version differ.
    "--partial-parse",
    # dbt.log keeps what ran and every error, not each statement's SQL:
    # writing debug events for ~250 nodes costs seconds per build.
    "--log-level-file",
    "info",
    # sla-report runs dbt as a library, offline, every night: no usage
    # events or version checks sent on the user's behalf.
    "--no-send-anonymous-usage-stats",
    "--no-version-check",
    "--quiet",
)


def _dbt_arguments(config: BuildConfig, partial: Plan | None) -> list[str]:
    """Return the `dbt build` command line; `partial`: the plan of a 'models' build."""
    from generator.dbt.changes import state_dir

    # The profile reads the database file, DuckDB's settings and Spark's
    # folders from these vars (profiles.yml), never from a changed os.environ.
    embedded = not config.target.is_warehouse
    dbt_vars = {
        **config.dbt_vars,
        **profile_vars(
            config.project_dir,
            config.target,
            config.building_database_path if embedded else None,
            config.memory_limit,
            config.building_scratch_path if embedded else None,
        ),
    }
    args = [
        "build",
        "--project-dir",
        str(config.project_dir),
        "--profiles-dir",
        str(config.project_dir),
        "--target-path",
        str(config.target_dir),
        "--log-path",
        str(config.work_dir / "logs"),
        "--target",
        config.target.name,
        "--vars",
        json.dumps(dbt_vars),
        *_DBT_BUILD_FLAGS,
    ]
    if not config.unit_tests:
        # dbt's advice for production runs: unit tests check the SQL logic on
        # fixed inputs, so they belong to `make test` and CI (which build with
        # unit tests), not to every nightly or preview build. Data tests
        # check the data and always run.
        args += ["--exclude-resource-type", "unit_test"]
    if partial is not None:
        # dbt's own comparison, plus the models whose files we saw change: a
        # YAML-only edit (a KPI's meta) changes what rpt_kpi_scorecard compiles
        # to, which state:modified alone does not see.
        selectors = ["state:modified+", *(f"{name}+" for name in partial.changed_models)]
        args += ["--select", " ".join(selectors), "--state", str(state_dir(config))]
    return args


def _keep_as_last_good(
    config: BuildConfig, fingerprint: Fingerprint | None, manifest: dict, results: list[NodeResult]
) -> None:
    """Make the finished build the last good one: its databases, state and artifacts."""
    from generator.dbt.changes import forget_last_good, save_last_good

    embedded = not config.target.is_warehouse
    forget_last_good(config)
    if embedded:
        os.replace(config.building_database_path, config.database_path)
        # A second link to the last good file (see _prepare_target) renames
        # onto itself as a no-op and stays: remove it.
        os.replace(config.building_scratch_path, config.scratch_path)
        config.building_scratch_path.unlink(missing_ok=True)
    if fingerprint is not None and embedded:
        # A warehouse build is never reused (see changes.plan_build), and it
        # leaves no DuckDB file that a later embedded build could reuse.
        save_last_good(config, fingerprint, manifest, [asdict(r) for r in results])
    # The manifest of the site as built (a partial build's, completed above).
    (config.work_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    shutil.copy2(config.target_dir / "run_results.json", config.work_dir / "run_results.json")


def last_good_build(last: LastGoodBuild) -> DbtBuild:
    """Return the last good dbt build as the generator sees it (no dbt run)."""
    return DbtBuild(
        manifest=last.manifest, results=[NodeResult(**raw) for raw in last.results], seconds=0.0
    )


def _with_compiled_code_of(manifest: dict, previous: dict) -> dict:
    """Fill in the compiled SQL of nodes this partial build did not run, from the last build.

    Only unchanged nodes are left out of a partial build, so their compiled
    SQL is the last build's.
    """
    old_nodes = previous.get("nodes", {})
    for unique_id, node in manifest.get("nodes", {}).items():
        old = old_nodes.get(unique_id)
        if not node.get("compiled_code") and old and old.get("compiled_code"):
            node["compiled_code"] = old["compiled_code"]
            node["compiled"] = True
    return manifest


def _merged_results(
    manifest: dict, previous: list[dict], results: list[NodeResult]
) -> list[NodeResult]:
    """Return this run's results plus the last build's for the nodes it did not run."""
    present = set(manifest.get("nodes", {})) | set(manifest.get("unit_tests", {}))
    ran = {result.unique_id for result in results}
    kept = [
        NodeResult(**raw)
        for raw in previous
        if raw["unique_id"] in present and raw["unique_id"] not in ran
    ]
    return kept + results


def _node_result(raw) -> NodeResult:
    node = raw.node
    metadata = getattr(node, "test_metadata", None)
    checks = check_names({"name": metadata.name, "kwargs": metadata.kwargs} if metadata else None)
    name = node.name
    if metadata is not None and metadata.name == CHECKS_TEST:
        # dbt names the test after all its arguments; the model's name says which it is.
        name = f"{str(getattr(node, 'attached_node', '') or '').split('.')[-1]} checks"
    return NodeResult(
        unique_id=node.unique_id,
        name=name,
        resource_type=str(getattr(node.resource_type, "value", node.resource_type)),
        status=str(getattr(raw.status, "value", raw.status)).lower(),
        message=str(raw.message or ""),
        failures=raw.failures,
        path=str(getattr(node, "original_file_path", "") or ""),
        checks=tuple(checks),
        relation=str(getattr(node, "relation_name", "") or "") if checks else "",
    )


def _with_failing_checks(config: BuildConfig, results: list[NodeResult]) -> list[NodeResult]:
    """Name the failing checks of each failed `checks` test, from its stored failures.

    dbt reports only how many rows such a test returned: one per failing check.
    """
    from generator.dbt.warehouse import failing_checks

    named = []
    for result in results:
        if result.checks and result.status == "fail" and result.relation:
            result = replace(result, failing_checks=tuple(failing_checks(config, result.relation)))
        named.append(result)
    return named


def _where(result: NodeResult, project_dir: Path) -> str:
    """Return 'path:line' of a failed node ('path' alone when no line is known).

    DuckDB quotes the failing line of the compiled SQL ("LINE 5: select ...");
    the same text in the source file gives the line the analyst edits. A
    singular data test is one query: its line is the first.
    """
    if not result.path:
        return result.name
    source = project_dir / result.path
    if source.is_file() and source.suffix == ".sql":
        lines = source.read_text(encoding="utf-8").splitlines()
        # The name DuckDB complains about ("Referenced column "x" not found",
        # "syntax error at or near "frm""), then the quoted line of compiled SQL.
        # The most specific name (found on the fewest lines) points at the edit.
        best: list[int] = []
        for name in re.findall(r'"(\w+)"', result.message):
            pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
            found = [number for number, line in enumerate(lines, start=1) if pattern.search(line)]
            if found and (not best or len(found) < len(best)):
                best = found
        if best:
            return f"{result.path}:{best[0]}"
        quoted = re.search(r"LINE \d+:\s*(.+)", result.message)
        if quoted:
            snippet = quoted.group(1).strip()[:40]
            for line_number, line in enumerate(lines, start=1):
                if snippet and snippet in line:
                    return f"{result.path}:{line_number}"
    if result.path.endswith(".sql"):
        return f"{result.path}:1"
    return result.path


def _raise_for_failures(results: list[NodeResult], project_dir: Path) -> None:
    """Raise DataTestError naming failed tests, or InternalError for failed models."""
    failed_tests = [r for r in results if r.resource_type in TEST_TYPES and r.status in FAILED]
    failed_nodes = [r for r in results if r.resource_type not in TEST_TYPES and r.status in FAILED]
    if failed_tests:
        lines = [f"  - {_where(r, project_dir)}: {r.name}: {_failure(r)}" for r in failed_tests]
        skipped = sum(1 for r in results if r.status == "skipped")
        raise DataTestError(
            f"{len(failed_tests)} dbt test(s) failed; the site was not published"
            + (f" ({skipped} downstream nodes skipped)" if skipped else "")
            + ":\n"
            + "\n".join(lines)
        )
    if failed_nodes:
        lines = [
            f"  - {_where(r, project_dir)}: {r.resource_type} {r.name}: {r.message.strip()}"
            for r in failed_nodes
        ]
        raise InternalError("dbt could not build:\n" + "\n".join(lines))


def _failure(result: NodeResult) -> str:
    """Return what failed in a test: each failing check of a `checks` test, else dbt's message."""
    if result.failing_checks:
        return "; ".join(
            f"{name} fails on {rows} row{'s' if rows != 1 else ''}"
            for name, rows in result.failing_checks
        )
    return result.message.strip().splitlines()[0] if result.message else result.status


def _classify_exception(error: BaseException) -> Exception:
    """Turn a dbt exception into the CLI error with the right exit code."""
    from generator.exceptions import ConfigError

    name = type(error).__name__
    if "Compilation" in name or "Parsing" in name or ("Dbt" in name and "Project" in name):
        return ConfigError(f"dbt could not compile the project: {error}")
    return InternalError(f"dbt failed: {name}: {error}")


def _release_duckdb() -> None:
    """Close dbt-duckdb's in-process database handle.

    dbt-duckdb keeps one DuckDB connection per process (a class-level
    environment) after `invoke` returns, and DuckDB refuses a second,
    read-only connection to the same file in that process. Closing it here
    lets the warehouse module read the result read-only. Private API: if it
    moves, the read-only open fails loudly rather than silently.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # another adapter: nothing held in-process
        return
    # Typed as always set, but None until dbt-duckdb opens its first connection.
    environment = getattr(DuckDBConnectionManager, "_ENV", None)
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()
