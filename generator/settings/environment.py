"""Every environment variable the project reads, in one registry (issue #22).

The generator reads the process environment here and nowhere else, and never
writes it: what dbt's profile needs from a build (the database file, DuckDB's
threads and memory limit, Spark's folders) goes to dbt as `--vars`, which
profiles.yml reads beside its `env_var()`s. tests/test_settings.py checks that
every variable read anywhere (the code, profiles.yml, the Makefile, the
workflows, the tests) is in VARIABLES and in the table of docs/settings.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Variable:
    """One environment variable: who reads it, what for, and whether it is a secret."""

    name: str
    read_by: str
    """sla-report, profiles.yml (dbt), make, or tests."""
    purpose: str
    secret: bool = False


VARIABLES = (
    Variable(
        "SLA_REPORT_TARGET",
        "sla-report, profiles.yml",
        "The profiles.yml target when --target is not given (before sla-report.yml's `target:`).",
    ),
    Variable(
        "SLA_REPORT_PAGES_URL",
        "sla-report",
        "The published report's address, linked from chat notices (notify --site-url; "
        "the nightly workflow also passes it to make as PAGES_URL).",
    ),
    Variable(
        "SLA_REPORT_WEBHOOK_URL",
        "sla-report",
        "The chat webhook's address (a repository secret); another name can be set "
        "with notify --webhook-env or `notify.webhook_env`.",
        secret=True,
    ),
    Variable(
        "HUBSPOT_ACCESS_TOKEN",
        "sla-report",
        "HubSpot private app token for `sla-report pull hubspot` (the name is "
        "crm_source.yml's pull.hubspot.token_env).",
        secret=True,
    ),
    Variable(
        "SALESFORCE_ACCESS_TOKEN",
        "sla-report",
        "Salesforce access token for `sla-report pull salesforce`.",
        secret=True,
    ),
    Variable(
        "SALESFORCE_CLIENT_ID",
        "sla-report",
        "Salesforce connected app's client id (client-credentials sign-in).",
        secret=True,
    ),
    Variable(
        "SALESFORCE_CLIENT_SECRET",
        "sla-report",
        "Salesforce connected app's client secret.",
        secret=True,
    ),
    Variable(
        "SLA_REPORT_DUCKDB_PATH",
        "profiles.yml",
        "The DuckDB file of dbt runs outside sla-report (SQLFluff's templater); a "
        "build always writes its own work folder's file.",
    ),
    Variable(
        "SLA_REPORT_DBT_THREADS",
        "profiles.yml",
        "How many models and tests dbt runs at once on DuckDB (default 2).",
    ),
    Variable(
        "SLA_REPORT_DUCKDB_THREADS",
        "profiles.yml",
        "DuckDB's threads per query (default: the machine's cores).",
    ),
    Variable(
        "SLA_REPORT_DUCKDB_MEMORY_LIMIT",
        "profiles.yml",
        "DuckDB's memory limit when neither --memory-limit nor `memory_limit:` is "
        "set (default 80%).",
    ),
    Variable(
        "SLA_REPORT_DUCKDB_SCRATCH",
        "profiles.yml",
        "Where dbt run by another tool (SQLFluff) keeps staging and intermediate tables "
        "(default in memory); sla-report keeps them in its work folder.",
    ),
    Variable("SLA_REPORT_PG_HOST", "profiles.yml", "PostgreSQL host (default localhost)."),
    Variable("SLA_REPORT_PG_PORT", "profiles.yml", "PostgreSQL port (default 5432)."),
    Variable("SLA_REPORT_PG_USER", "profiles.yml", "PostgreSQL user (default postgres)."),
    Variable("SLA_REPORT_PG_DATABASE", "profiles.yml", "PostgreSQL database (default sla_report)."),
    Variable(
        "DBT_ENV_SECRET_PG_PASSWORD",
        "profiles.yml",
        "PostgreSQL password; dbt scrubs DBT_ENV_SECRET_ variables from its logs.",
        secret=True,
    ),
    Variable("SLA_REPORT_SPARK_MASTER", "profiles.yml", "Spark master (default local[2])."),
    Variable(
        "SLA_REPORT_SPARK_WAREHOUSE",
        "profiles.yml",
        "Spark's tables and metastore folder (default build/spark-warehouse in the project).",
    ),
    Variable(
        "SLA_REPORT_SPARK_SHUFFLE_PARTITIONS",
        "profiles.yml",
        "Spark's shuffle partitions (default 4).",
    ),
    Variable(
        "SLA_REPORT_SPARK_CODEGEN",
        "profiles.yml",
        "NO_CODEGEN: Spark interprets expressions, less CPU on small tables (default FALLBACK).",
    ),
    Variable("SLA_REPORT_SPARK_DRIVER_MEMORY", "profiles.yml", "Spark driver memory (default 2g)."),
    Variable(
        "SLA_REPORT_SPARK_JAVA_OPTIONS",
        "profiles.yml",
        "More JVM options for local Spark's driver, e.g. -XX:CompileThresholdScaling=10.",
    ),
    Variable("SLA_REPORT_DATA", "make", "The folder of the night's raw export for `make nightly`."),
    Variable(
        "SLA_REPORT_PULL",
        "make",
        "hubspot or salesforce: `make nightly` pulls from that CRM first.",
    ),
    Variable(
        "SLA_REPORT_FUZZ_EXAMPLES",
        "tests",
        "How many generated cases the property-based tests try (`make fuzz`).",
    ),
    Variable(
        "SLA_REPORT_CHROMIUM",
        "tests",
        "The Chromium the browser tests drive (default /usr/bin/chromium).",
    ),
    Variable(
        "SLA_REPORT_OLIST_DIR",
        "tests",
        "The Olist marketing-funnel files (default ../shared/data/real).",
    ),
    Variable(
        "SLA_REPORT_PG_DIR", "tests", "The throwaway PostgreSQL server's folder (scripts/postgres)."
    ),
)
BY_NAME = {variable.name: variable for variable in VARIABLES}


def read(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """Return a registered variable's value, None when unset or blank."""
    if name not in BY_NAME:
        raise KeyError(f"{name} is not in generator/settings/environment.py's VARIABLES")
    return read_named(name, environ)


def read_named(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """Return the value of a variable whose name a setting chose (a token's, a
    webhook's), None when unset or blank."""
    value = (os.environ if environ is None else environ).get(name, "").strip()
    return value or None
