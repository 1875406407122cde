"""sla_report installed as a dbt package in a team's own dbt project (issue #22).

A fresh project (`acme_analytics`, its own profile and DuckDB file) lists this
repository in packages.yml, has its raw CRM tables landed by "a loader" in
another database and schema (the raw_database and raw_schema vars), reads
its team list and holidays from models and seeds of its own (input_models),
and runs `dbt deps` and `dbt build`. The report models must be there with
the figures tests/independent.py computes from the same rows, and
`sla-report build --project-dir` must render the site from that project,
the project's own site/ files winning over the package's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.conftest import DEMO_RAW, REFERENCE, ROOT, page_text
from tests.independent import compute

AS_OF = date(2015, 10, 15)
LANDED = (
    "leads",
    "lead_activities",
    "opportunities",
    "revenue",
    "web_sessions",
    "lead_owner_history",
)
"""Raw tables a loader lands in the team's database (reps come from the team's own model)."""
OVERRIDE = "Acme's own words about the data"

PROJECT = """\
name: acme_analytics
version: "1.0.0"
config-version: 2
profile: acme
model-paths: ["models"]
seed-paths: ["seeds"]
vars:
  sla_report:
    raw_database: landing
    raw_schema: crm
    input_models: {reps: stg_acme__team, holidays: acme_holidays}
"""
PROFILE = """\
acme:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{warehouse}"
      threads: 2
      settings: {{TimeZone: UTC}}
      attach:
        - path: "{landing}"
          alias: landing
          read_only: true
"""
TEAM_MODEL = """\
{# The team's own staging of its team list, in the contract's columns, as text. #}
select
    cast(rep_id as varchar) as rep_id,
    cast(rep_name as varchar) as rep_name,
    cast(team as varchar) as team,
    cast(started_on as varchar) as started_on,
    cast(ended_on as varchar) as ended_on
from {{ ref('acme_team') }}
"""


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run a command in the team's project without the report's own settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SLA_REPORT_")}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}\n{result.stderr}"
    return result


def _dbt(*args: str, project: Path) -> subprocess.CompletedProcess:
    dbt = Path(sys.executable).with_name("dbt")
    return _run(
        [
            str(dbt),
            *args,
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--no-send-anonymous-usage-stats",
        ],
        project,
    )


@pytest.fixture(scope="module")
def team_project(tmp_path_factory) -> Path:
    """Return a team's dbt project with sla_report installed and built by plain dbt."""
    project = tmp_path_factory.mktemp("team") / "acme_analytics"
    (project / "models" / "staging").mkdir(parents=True)
    (project / "seeds").mkdir()
    (project / "dbt_project.yml").write_text(PROJECT, encoding="utf-8")
    (project / "packages.yml").write_text(f"packages:\n  - local: {ROOT}\n", encoding="utf-8")
    (project / "profiles.yml").write_text(
        PROFILE.format(warehouse=project / "acme.duckdb", landing=project / "landing.duckdb"),
        encoding="utf-8",
    )
    (project / "models" / "staging" / "stg_acme__team.sql").write_text(TEAM_MODEL, encoding="utf-8")
    shutil.copy2(DEMO_RAW / "reps.csv", project / "seeds" / "acme_team.csv")
    shutil.copy2(REFERENCE / "holidays.csv", project / "seeds" / "acme_holidays.csv")
    # The team's own words on one default page and in one agreement's text.
    (project / "site" / "docs").mkdir(parents=True)
    (project / "site" / "docs" / "about.md").write_text(
        f"# About the data\n\n{OVERRIDE}.\n", encoding="utf-8"
    )
    # What a loader (Fivetran, Airbyte) lands: every column as text.
    with duckdb.connect(str(project / "landing.duckdb")) as landing:
        landing.execute("create schema crm")
        for table in LANDED:
            landing.execute(
                f"create table crm.{table} as select * from read_csv("
                f"'{DEMO_RAW / table}.csv', header = true, all_varchar = true)"
            )
    _dbt("deps", project=project)
    _dbt("build", project=project)
    return project


def _tables(project: Path) -> dict[str, set[str]]:
    """Return schema -> table names in the team's warehouse file."""
    with duckdb.connect(str(project / "acme.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    found: dict[str, set[str]] = {}
    for schema, name in rows:
        found.setdefault(schema, set()).add(name)
    return found


def test_dbt_build_in_the_team_project_makes_every_report_model(team_project):
    tables = _tables(team_project)
    reports = {path.stem for path in (ROOT / "models" / "reports").glob("rpt_*.sql")}
    assert len(reports) >= 20
    assert reports <= tables["main"], sorted(reports - tables["main"])
    # The demo's raw seeds stay out of the team's build; the package's
    # holidays seed gives way to the team's own.
    assert "raw" not in tables
    assert "holidays" not in tables.get("reference", set())
    assert {"sla_agreements", "sla_targets"} <= tables["reference"]
    manifest = json.loads((team_project / "target" / "manifest.json").read_text())
    parents = {
        node["name"]: node["depends_on"]["nodes"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    assert "model.acme_analytics.stg_acme__team" in parents["stg_crm__reps"]
    assert "seed.acme_analytics.acme_holidays" in parents["stg_sla__holidays"]
    sources = {
        source["name"]: (source["database"], source["schema"])
        for source in manifest["sources"].values()
        if source["source_name"] == "crm"
    }
    assert sources["leads"] == ("landing", "crm")


def test_team_build_figures_match_the_independent_computation(team_project, capsys):
    details: dict = {}
    expected = compute(DEMO_RAW, REFERENCE, AS_OF, details)
    with duckdb.connect(str(team_project / "acme.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "select agreement_id, kpi_id, actual, target, status from main.rpt_kpi_scorecard"
        ).fetchall()
    built = {
        (agreement_id, kpi_id): (actual, target, status)
        for agreement_id, kpi_id, actual, target, status in rows
    }
    checked = 0
    for agreement_id, figures in expected.items():
        for key, value in figures.items():
            kpi_id = key.removeprefix("target:")
            actual, target, _ = built[(agreement_id, kpi_id)]
            shown = target if key.startswith("target:") else actual
            assert shown == pytest.approx(value, rel=1e-9, abs=1e-9), (
                f"{agreement_id} {key}: the team's build has {shown}, independent {value}"
            )
            checked += 1
        for kpi_id, status in details[agreement_id]["status"].items():
            assert built[(agreement_id, kpi_id)][2] == status, f"{agreement_id} {kpi_id}"
    assert checked >= 50
    with capsys.disabled():
        print(
            f"\nteam project: {checked} KPI figures and targets match the independent computation"
        )


def test_sla_report_builds_the_site_from_the_team_project(team_project, tmp_path):
    out = tmp_path / "site"
    result = _run(
        [
            sys.executable,
            "-m",
            "generator",
            "build",
            "--project-dir",
            str(team_project),
            "--as-of",
            AS_OF.isoformat(),
            "--out",
            str(out),
        ],
        tmp_path,
    )
    assert "Built " in result.stdout, result.stdout + result.stderr
    # The package's pages, theme and agreement texts.
    for page in (
        "index.html",
        "marketing.html",
        "handoff.html",
        "sales.html",
        "definitions.html",
        "agreements/2015-h1.html",
        "agreements/2015-h2.html",
    ):
        assert (out / page).is_file(), page
    assert "Sales &amp; Marketing SLA" in (out / "index.html").read_text(encoding="utf-8")
    # The team's own about page wins over the package's.
    about = page_text(out / "about.html")
    assert OVERRIDE in about
    package_about = (ROOT / "site" / "docs" / "about.md").read_text(encoding="utf-8")
    assert "## " in package_about and package_about.split("## ")[1].split("\n")[0] not in about
    # The data quality page names where the raw rows came from: the team's tables.
    assert "the raw tables of the dbt target dev" in page_text(out / "data-quality.html")
    # Nothing was written into either project's sources.
    assert not (team_project / "build").exists()
    assert not (team_project / "site" / "agreements").exists()


def _bare_project(root: Path, input_models: str = "{}", installed: bool = True) -> Path:
    """Return a team project that lists sla_report (installed or not), without dbt."""
    project = root / "acme_analytics"
    project.mkdir()
    (project / "dbt_project.yml").write_text(
        PROJECT.replace(
            "input_models: {reps: stg_acme__team, holidays: acme_holidays}",
            f"input_models: {input_models}",
        ),
        encoding="utf-8",
    )
    if installed:
        (project / "dbt_packages").mkdir()
        (project / "dbt_packages" / "sla_report").symlink_to(ROOT)
    return project


def test_a_project_without_the_package_installed_is_told_to_run_dbt_deps(tmp_path):
    from generator.exceptions import ConfigError
    from generator.settings.dbt_package import site_sources

    project = _bare_project(tmp_path, installed=False)
    with pytest.raises(ConfigError, match=r"does not install sla_report.*dbt deps"):
        site_sources(project, tmp_path / "work")
    assert site_sources(ROOT, tmp_path / "work") == ROOT  # this repository is its own


def test_an_agreement_the_site_cannot_read_before_dbt_is_refused(tmp_path):
    from generator.exceptions import ConfigError
    from generator.settings.dbt_package import site_sources

    project = _bare_project(tmp_path, "{sla_agreements: int_acme__agreements}")
    with pytest.raises(ConfigError, match=r"int_acme__agreements.*make it a seed"):
        site_sources(project, tmp_path / "work")
    # As a seed of the project it replaces the demo's agreements in the site's sources.
    (project / "seeds" / "sla").mkdir(parents=True)
    own = "agreement_id,title\nacme-2026,Acme 2026\n"
    (project / "seeds" / "sla" / "int_acme__agreements.csv").write_text(own, encoding="utf-8")
    merged = site_sources(project, tmp_path / "work")
    assert (merged / "seeds" / "reference" / "sla_agreements.csv").read_text() == own
    assert (merged / "seeds" / "reference" / "holidays.csv").read_bytes() == (
        REFERENCE / "holidays.csv"
    ).read_bytes()
    assert not (project / "site").exists() and (merged / "site" / "docs" / "about.md").is_file()
