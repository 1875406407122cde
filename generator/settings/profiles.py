"""Which engine a build runs on: the dbt profile's targets (issue #13).

The project's profiles.yml names the targets (duckdb, the embedded default;
postgres; spark; or a team's own). A target's `type` is the dbt adapter;
everything else in it (hosts, credentials from environment variables) is
dbt's business, so only the type is read here, unrendered.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.exceptions import ConfigError
from generator.settings.environment import read
from generator.settings.project import dbt_project

PROFILE = "sla_report"
PACKAGE = "sla_report"
"""This project's dbt name; a project of another name installs it as a package (issue #22)."""
DEFAULT_TARGET = "duckdb"
TARGET_VARIABLE = "SLA_REPORT_TARGET"
EMBEDDED = "duckdb"


@dataclass(frozen=True)
class Target:
    """A profile target: its name and its dbt adapter type."""

    name: str
    type: str
    external: bool = False
    """A team's own dbt project that installs sla_report as a package (issue #22):
    its database, even a DuckDB file, is the team's, never the report's."""

    @property
    def is_warehouse(self) -> bool:
        """True for a database the report does not own (anything but embedded DuckDB).

        Raw tables are read from its raw schema, every build is a full one
        (dbt cannot see whether warehouse tables changed), and the generator
        reads the report models through dbt's adapter for it.
        """
        return self.type != EMBEDDED or self.external


def resolve_target(
    project_dir: Path, name: str | None = None, configured: str | None = None
) -> Target:
    """Return the target named, else SLA_REPORT_TARGET, else the one configured
    (sla-report.yml `target:`), else duckdb, from the project's profile.

    In a team's project that installs sla_report as a package (issue #22),
    the profile is the one its dbt_project.yml names, and its default target
    is the profile's own `target:`.
    """
    try:
        project = dbt_project(project_dir)
    except ConfigError:
        project = {}  # find_project and dbt report an unreadable dbt_project.yml
    external = project.get("name", PACKAGE) != PACKAGE
    profile_name = str(project.get("profile") or PROFILE) if external else PROFILE
    path = project_dir / "profiles.yml"
    try:
        profile = (yaml.safe_load(path.read_text(encoding="utf-8")) or {})[profile_name]
        outputs = profile["outputs"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise ConfigError(
            f"{path}: no readable '{profile_name}' profile with outputs "
            f"({type(error).__name__}: {error})"
        ) from error
    declared = str(profile.get("target") or "") if external else ""
    chosen = name or read(TARGET_VARIABLE) or configured or declared or DEFAULT_TARGET
    if chosen not in outputs:
        raise ConfigError(
            f"--target {chosen}: no such target in {path} (targets: {', '.join(sorted(outputs))})"
        )
    adapter_type = str((outputs[chosen] or {}).get("type") or "")
    if not adapter_type:
        raise ConfigError(f"{path}: target {chosen} has no type")
    return Target(name=chosen, type=adapter_type, external=external)


def profile_vars(
    project_dir: Path,
    target: Target,
    database: Path | None = None,
    memory_limit: str | None = None,
    scratch: Path | None = None,
) -> dict:
    """Return the --vars profiles.yml reads for this run (never os.environ, issue #22).

    Embedded DuckDB: the build's own database file, the file of its staging
    and intermediate tables (`scratch`, issue #23), DuckDB's threads (the machine's cores unless
    SLA_REPORT_DUCKDB_THREADS says otherwise) and the memory limit when one
    was given. Spark in `session` mode keeps its tables
    and its Derby metastore on local disk; `sla-report load` and `sla-report
    build` run in separate processes and must find the same ones, wherever
    the command ran: the project's build folder, unless
    SLA_REPORT_SPARK_WAREHOUSE names another.
    """
    if not target.is_warehouse:
        values: dict = {"duckdb_threads": str(os.cpu_count() or 1)}
        if database is not None:
            values["duckdb_path"] = str(database)
        if memory_limit:
            values["duckdb_memory_limit"] = memory_limit
        if scratch is not None:
            values["duckdb_scratch_path"] = str(scratch)
        return values
    return {"spark_warehouse": str(project_dir.resolve() / "build" / "spark-warehouse")}
