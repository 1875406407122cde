"""Publishing is atomic: a failure at any stage names its cause and leaves the site intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.lock import build_lock
from tests.conftest import HUNG_AFTER, ROOT, copy_project, copy_work_folder


def snapshot(folder) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture()
def published(tmp_path):
    """A previously published site: the thing no failed build may touch."""
    out = tmp_path / "published"
    out.mkdir()
    (out / "index.html").write_text("<p>the good site from last night</p>")
    (out / ".sla-report-site").write_text("Built by sla-report.\n")
    (out / "charts").mkdir()
    (out / "charts" / "x.svg").write_text("<svg/>")
    return out


def build(project, out, *extra):
    return CliRunner().invoke(
        cli, ["build", "--project-dir", str(project), "--out", str(out), *extra]
    )


def break_model(project):
    (project / "models" / "marts" / "fct_broken.sql").write_text(
        "select no_such_column from {{ ref('dim_reps') }}\n"
    )
    return "fct_broken"


def break_data_test(project):
    (project / "data-tests" / "assert_revenue_goal_is_positive.sql").write_text(
        "-- Deliberately broken for this test: every agreement fails it.\n"
        "select agreement_id from {{ ref('dim_agreements') }} where revenue_goal > 0\n"
    )
    return "assert_revenue_goal_is_positive"


def break_kpi_metadata(project):
    path = project / "models" / "marts" / "fct_sales_kpis.yml"
    path.write_text(path.read_text().replace("unit: rate", "unit: percentage", 1))
    # Issue #23: the model and its failing check, by name.
    return "rpt_kpi_scorecard checks: accepted_values(unit) fails on"


def remove_agreement_text(project):
    (project / "site" / "agreements" / "2015-h1.md").unlink()
    return "site/agreements/2015-h1.md: missing"


def break_agreement_text(project):
    text = project / "site" / "agreements" / "2015-h2.md"
    lines = text.read_text().splitlines()
    lines.insert(3, "We also promise {{ kpi('happiness') }}.")
    text.write_text("\n".join(lines) + "\n")
    return "site/agreements/2015-h2.md:4: unknown KPI 'happiness'"


def break_site(project):
    about = project / "site" / "docs" / "about.md"
    about.write_text(about.read_text() + "\nSee [the old page](no-such-page.md).\n")
    return "no-such-page.md"


@pytest.mark.parametrize(
    ("stage", "breaker", "exit_code"),
    [
        ("dbt model", break_model, 1),
        ("dbt data test", break_data_test, 4),
        ("KPI metadata (caught by a dbt test first)", break_kpi_metadata, 4),
        ("page generation: unknown KPI", break_agreement_text, 3),
        ("page generation: missing text", remove_agreement_text, 3),
        ("MkDocs strict build", break_site, 5),
    ],
)
def test_a_failure_at_each_stage_leaves_the_published_site_byte_for_byte(
    tmp_path, published, stage, breaker, exit_code
):
    project = copy_project(tmp_path / "project")
    cause = breaker(project)
    before = snapshot(published)
    result = build(project, published)
    assert result.exit_code == exit_code, f"{stage}: {result.output}"
    assert cause in result.output, f"{stage}: the message must name the cause"
    assert snapshot(published) == before, f"{stage}: the published site changed"


def test_a_failing_data_test_says_nothing_was_published(tmp_path, published):
    project = copy_project(tmp_path / "project")
    break_data_test(project)
    result = build(project, published)
    assert "the site was not published" in result.output


def test_a_second_build_at_the_same_time_is_refused_clearly(tmp_path, published):
    work = published.parent / f".{published.name}-work"
    before = snapshot(published)
    with build_lock(work):
        result = CliRunner().invoke(cli, ["build", "--out", str(published)])
    assert result.exit_code == 6, result.output
    assert "another build of this site is running (pid" in result.output
    assert snapshot(published) == before


def test_a_build_killed_midway_leaves_the_site_and_a_usable_database(tmp_path, plain_build):
    out = tmp_path / "site"
    # The last good database of a finished build: the first build here re-renders the pages.
    copy_work_folder(plain_build, out)
    first = CliRunner().invoke(cli, ["build", "--out", str(out)])
    assert first.exit_code == 0, first.output
    before = snapshot(out)
    work = tmp_path / ".site-work"
    # --full: with nothing changed the build would only re-render the pages,
    # and this test is about a build killed inside dbt.
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--full", "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    building = work / "sla_report.building.duckdb"
    deadline = time.monotonic() + HUNG_AFTER
    while not building.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert building.exists(), "the build never started writing its database"
    time.sleep(1.0)  # well inside dbt's work
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert snapshot(out) == before
    with duckdb.connect(str(work / "sla_report.duckdb"), read_only=True) as connection:
        assert connection.execute("select count(*) from main.rpt_kpi_scorecard").fetchone()[0] > 0
    # The lock died with the process: the next build just works.
    again = CliRunner().invoke(cli, ["build", "--out", str(out)])
    assert again.exit_code == 0, again.output
