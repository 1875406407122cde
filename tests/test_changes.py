"""Only what changed is rebuilt, and no edit ever leaves a stale number (issue #10).

The detection tests compare content hashes only (no dbt): every kind of input
maps to the rebuild it needs. The end-to-end test then builds a copy of the
project, edits it one way after another and checks the published figures
against what each edit must produce.
"""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.commands.configure import make_config
from generator.dbt.changes import LastGoodBuild, make_fingerprint, plan_build
from tests.conftest import DEMO_RAW, copy_built_project, copy_project, scratch_database


@pytest.fixture()
def project(tmp_path):
    return copy_project(tmp_path / "project")


def _baseline(config) -> LastGoodBuild:
    """A last good build of the project as it is now (its manifest is not needed here)."""
    return LastGoodBuild(make_fingerprint(config), {"nodes": {}, "child_map": {}}, [])


def _append(path, text):
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


EDITS = {
    # edit -> (what it does to the project, the rebuild it needs)
    "agreement text": (lambda p: _append(p / "site/agreements/2015-h2.md", "\nMore.\n"), "pages"),
    "site page": (lambda p: _append(p / "site/docs/about.md", "\nMore.\n"), "pages"),
    "site override": (lambda p: _append(p / "site/overrides/main.html", "\n"), "pages"),
    "mkdocs.yml": (lambda p: _append(p / "mkdocs.yml", "\n# edited\n"), "pages"),
    "model SQL": (
        lambda p: _append(p / "models/marts/fct_sales_kpis.sql", "\n-- edit\n"),
        "models",
    ),
    "model YAML": (
        lambda p: _append(p / "models/marts/fct_sales_kpis.yml", "\n# edit\n"),
        "models",
    ),
    "new model": (
        lambda p: (p / "models/marts/fct_extra.sql").write_text("select 1 as x\n"),
        "models",
    ),
    "singular data test": (
        lambda p: _append(
            p / "data-tests/assert_agreement_periods_do_not_overlap.sql", "\n-- edit\n"
        ),
        "models",
    ),
    "removed model": (lambda p: (p / "models/marts/fct_rejected_rows.sql").unlink(), "full"),
    "source YAML": (
        lambda p: _append(p / "models/staging/crm/_crm__sources.yml", "\n# e\n"),
        "full",
    ),
    "exposure YAML": (
        lambda p: _append(p / "models/reports/_reports__exposures.yml", "\n# e\n"),
        "full",
    ),
    "raw seed": (
        lambda p: _append(p / "seeds/raw/reps.csv", "S99,Zed,sales,2015-01-01,\n"),
        "full",
    ),
    "seed properties": (lambda p: _append(p / "seeds/raw/_raw__seeds.yml", "\n# e\n"), "full"),
    "macro": (lambda p: _append(p / "macros/aggregates.sql", "\n{# edit #}\n"), "full"),
    "generic test": (
        lambda p: _append(p / "data-tests/generic/expression_is_true.sql", "\n"),
        "full",
    ),
    "new macro file": (
        lambda p: (p / "macros/extra.sql").write_text("{% macro x() %}{% endmacro %}"),
        "full",
    ),
    "dbt_project.yml vars": (
        lambda p: (p / "dbt_project.yml").write_text(
            (p / "dbt_project.yml")
            .read_text()
            .replace("status_at_risk_min: 0.9", "status_at_risk_min: 0.8")
        ),
        "full",
    ),
    "profiles.yml": (lambda p: _append(p / "profiles.yml", "\n# edit\n"), "full"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_every_kind_of_edit_is_detected_and_needs_the_right_rebuild(project, edit):
    config = make_config(project_dir=project, out=str(project / "build" / "site"))
    last = _baseline(config)
    assert plan_build(config, make_fingerprint(config), last).mode == "pages", (
        "nothing changed yet: pages only"
    )
    change, mode = EDITS[edit]
    change(project)
    plan = plan_build(config, make_fingerprint(config), last)
    assert plan.mode == mode, plan.describe()


def test_a_real_edit_of_a_reference_seed_needs_a_full_build(project):
    config = make_config(project_dir=project, out=str(project / "build" / "site"))
    last = _baseline(config)
    _append(project / "seeds/reference/holidays.csv", "2015-12-24,Christmas Eve\n")
    plan = plan_build(config, make_fingerprint(config), last)
    assert plan.mode == "full" and "seeds/reference/holidays.csv" in plan.reason


def test_as_of_raw_data_and_package_versions_need_a_full_build(project, tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    shutil.copytree(DEMO_RAW, raw, ignore=shutil.ignore_patterns("*.yml"))
    config = make_config(project_dir=project, data=str(raw), as_of="2015-10-15")
    last = _baseline(config)

    later = make_config(project_dir=project, data=str(raw), as_of="2015-10-16")
    assert plan_build(later, make_fingerprint(later), last).reason == "changed: vars"

    # Each build reads the raw files afresh (into its clean copies, issue #11).
    (raw / "revenue.csv").touch()  # a newer file with the same content: no rebuild
    config = make_config(project_dir=project, data=str(raw), as_of="2015-10-15")
    assert plan_build(config, make_fingerprint(config), last).mode == "pages"
    _append(raw / "revenue.csv", "R-x,O-x,2015-10-01,1,new_business\n")
    config = make_config(project_dir=project, data=str(raw), as_of="2015-10-15")
    plan = plan_build(config, make_fingerprint(config), last)
    assert plan.mode == "full" and "raw data: revenue" in plan.reason

    config = make_config(project_dir=project, data=str(raw), as_of="2015-10-15")
    last = _baseline(config)
    import generator.dbt.changes as changes

    real = changes.metadata.version
    monkeypatch.setattr(
        changes.metadata, "version", lambda name: "9.9.9" if name == "dbt-duckdb" else real(name)
    )
    plan = plan_build(config, make_fingerprint(config), last)
    assert plan.mode == "full" and "package dbt-duckdb" in plan.reason


def test_the_same_raw_files_in_another_folder_need_no_rebuild(project, tmp_path):
    """The planner compares raw files by content, not path: a project copied
    elsewhere (the demo reads its seeds/raw in place), or a work folder moved
    (a team's files are read from its clean copies there), keeps its last
    good build; a changed file still needs a full one."""
    config = make_config(project_dir=project)
    last = _baseline(config)
    copied = make_config(project_dir=copy_project(tmp_path / "copied"))
    assert copied.dbt_vars["raw_files"] != config.dbt_vars["raw_files"]
    assert plan_build(copied, make_fingerprint(copied), last).mode == "pages"

    raw = tmp_path / "raw"
    shutil.copytree(DEMO_RAW, raw, ignore=shutil.ignore_patterns("*.yml"))
    config = make_config(project_dir=project, data=str(raw), out=str(tmp_path / "a" / "site"))
    last = _baseline(config)
    moved = make_config(project_dir=project, data=str(raw), out=str(tmp_path / "b" / "site"))
    assert moved.dbt_vars["raw_files"] != config.dbt_vars["raw_files"]
    assert plan_build(moved, make_fingerprint(moved), last).mode == "pages"
    _append(raw / "revenue.csv", "R-x,O-x,2015-10-01,1,new_business\n")
    moved = make_config(project_dir=project, data=str(raw), out=str(tmp_path / "b" / "site"))
    plan = plan_build(moved, make_fingerprint(moved), last)
    assert plan.mode == "full" and "raw data: revenue" in plan.reason, plan.reason


def test_no_previous_build_and_full_flag_mean_a_full_build(project):
    config = make_config(project_dir=project)
    assert plan_build(config, make_fingerprint(config), None).reason == "no previous good build"
    assert (
        plan_build(config, make_fingerprint(config), _baseline(config), full=True).reason
        == "--full given"
    )


def test_the_decision_names_the_model_and_counts_what_is_rebuilt(demo_build, project):
    """The downstream count comes from the last good manifest's graph."""
    demo_config, _ = demo_build
    manifest = json.loads((demo_config.work_dir / "manifest.json").read_text())
    config = make_config(project_dir=project)
    last = LastGoodBuild(make_fingerprint(config), manifest, [])
    _append(project / "models/marts/fct_sales_kpis.sql", "\n-- edit\n")
    plan = plan_build(config, make_fingerprint(config), last)
    children = {
        manifest["nodes"][uid]["name"]
        for uid in _descendants(manifest, "model.sla_report.fct_sales_kpis")
        if uid.startswith("model.")
    }
    assert children and plan.changed_models == ["fct_sales_kpis"]
    # Issue #23: only those: the last good staging and intermediate tables
    # are read as they are. Issue #20: the counts printed add up.
    assert not plan.rebuilds_scratch
    assert plan.describe().startswith(
        f"models changed: fct_sales_kpis (+{len(children)} downstream); "
        f"rebuilding {len(children) + 1} models and "
    )
    assert plan.tests > len(children)


def _descendants(manifest, unique_id):
    seen, queue = set(), [unique_id]
    while queue:
        for child in manifest["child_map"].get(queue.pop(), []):
            if child not in seen:
                seen.add(child)
                queue.append(child)
    return seen


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _models_run(work):
    """Return the names of the models the last dbt run of a work folder built."""
    results = json.loads((work / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1] for r in results if r["unique_id"].startswith("model.")}


def _kpi(site, kpi_id):
    summary = json.loads((site / "summary.json").read_text())
    return next(kpi for kpi in summary["kpis"] if kpi["id"] == kpi_id)


def test_no_stale_number_after_any_kind_of_edit(tmp_path):
    """Build, then edit pages, a model's SQL, its YAML and a seed: each figure follows."""
    project = copy_project(tmp_path / "project")
    out = tmp_path / "site"

    def build(*extra):
        result = CliRunner().invoke(
            cli, ["build", "--project-dir", str(project), "--out", str(out), *extra]
        )
        assert result.exit_code == 0, result.output
        return result.output

    first = build()
    assert "no previous good build: full build" in first
    revenue = _kpi(out, "new_revenue")["value"]
    goal = _kpi(out, "new_revenue")["target"]
    assert revenue > 0 and goal > 0

    # 1. Text only: no dbt, the new sentence is on the agreement page.
    _append(project / "site/agreements/2015-h2.md", "\nA sentence added in the preview.\n")
    output = build()
    assert "re-rendering pages from the last good warehouse (no dbt)" in output
    assert "(dbt 0.0 s;" in output
    assert "A sentence added in the preview." in (out / "agreement.html").read_text()

    # 2. One model's SQL: that model and its downstream, the new number published.
    sql = project / "models/marts/fct_sales_kpis.sql"
    sql.write_text(
        sql.read_text().replace(
            "coalesce(revenue_summed.new_revenue, 0) as new_revenue",
            "coalesce(revenue_summed.new_revenue, 0) * 2 as new_revenue",
        )
    )
    output = build()
    assert "models changed: fct_sales_kpis (+" in output and "full build" not in output
    assert _kpi(out, "new_revenue")["value"] == pytest.approx(2 * revenue)
    # Numbers of models that were not rebuilt are still there, unchanged.
    assert _kpi(out, "mqls")["value"] > 0
    # Issue #23: read from the last good build's staging and intermediate
    # tables, none of which was made again.
    rebuilt = _models_run(tmp_path / ".site-work")
    assert "fct_sales_kpis" in rebuilt
    assert not {name for name in rebuilt if name.startswith(("stg_", "int_"))}

    # 2b. A staging model's SQL: it and everything downstream, in a copy of
    # the last good scratch tables.
    sql = project / "models/staging/crm/stg_crm__revenue.sql"
    assert "as amount," in sql.read_text()
    sql.write_text(sql.read_text().replace("as amount,", "* 2 as amount,", 1))
    output = build()
    assert "models changed: stg_crm__revenue (+" in output and "full build" not in output
    assert {"stg_crm__revenue", "fct_sales_kpis"} <= _models_run(tmp_path / ".site-work")
    assert _kpi(out, "new_revenue")["value"] == pytest.approx(4 * revenue)

    # 3. A YAML-only edit of a KPI (its title): the scorecard picks it up.
    yml = project / "models/marts/fct_sales_kpis.yml"
    yml.write_text(
        yml.read_text().replace("title: New-business revenue", "title: New business booked")
    )
    output = build()
    assert "models changed: fct_sales_kpis" in output
    assert _kpi(out, "new_revenue")["title"] == "New business booked"
    assert "New business booked" in (out / "index.html").read_text()

    # 4. A seed (the revenue goal): a full build, the new goal everywhere.
    seed = project / "seeds/reference/sla_agreements.csv"
    seed.write_text(seed.read_text().replace(",1600000,", ",3200000,"))
    output = build()
    assert "changed: seeds/reference/sla_agreements.csv: full build" in output
    assert _kpi(out, "new_revenue")["target"] == pytest.approx(2 * goal)
    assert _kpi(out, "new_revenue")["value"] == pytest.approx(4 * revenue)

    # 5. --full forces a full build even with nothing changed.
    assert "--full given: full build" in build("--full")


def test_a_failed_partial_build_keeps_the_last_good_database_and_site(tmp_path, plain_build):
    # A copy of a finished build: the first build here re-renders its pages.
    project = copy_built_project(plain_build, tmp_path)
    out = tmp_path / "site"
    args = ["build", "--project-dir", str(project), "--out", str(out)]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "re-rendering pages from the last good warehouse (no dbt)" in first.output
    database = tmp_path / ".site-work" / "sla_report.duckdb"
    scratch = scratch_database(tmp_path / ".site-work")
    before_db, before_scratch = _digest(database), _digest(scratch)
    before_site = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    sql = project / "models/marts/fct_sales_kpis.sql"
    sql.write_text(sql.read_text().replace("as new_revenue", "as new_revenue,\n  nonsense("))
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0
    assert "models/marts/fct_sales_kpis.sql" in result.output
    assert _digest(database) == before_db, "a failed partial build replaced the database"
    assert _digest(scratch) == before_scratch, "a failed partial build wrote to the scratch"
    assert {
        p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()
    } == before_site


def test_an_edited_unit_test_rebuilds_its_model_not_everything(project):
    config = make_config(project_dir=project, out=str(project / "build" / "site"))
    last = _baseline(config)
    yml = project / "models/marts/fct_kpi_targets.yml"
    assert "unit_tests:" in yml.read_text()
    yml.write_text(
        yml.read_text().replace(
            "explicit MQL target of 120 wins", "explicit MQL target of 120 still wins"
        )
    )
    plan = plan_build(config, make_fingerprint(config), last)
    assert plan.mode == "models" and plan.changed_models == ["fct_kpi_targets"], plan.describe()
