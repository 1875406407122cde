"""A failed build names what failed and never replaces the published site."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import copy_project


def snapshot(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def published(tmp_path):
    out = tmp_path / "published"
    out.mkdir()
    (out / "index.html").write_text("<p>the good site from last night</p>")
    (out / "charts").mkdir()
    (out / "charts" / "x.svg").write_text("<svg/>")
    return out


def test_a_failing_data_test_fails_the_build_naming_the_test(tmp_path, published):
    project = copy_project(tmp_path / "project")
    (project / "data-tests" / "assert_revenue_goal_is_positive.sql").write_text(
        "-- Deliberately broken for this test: every agreement fails it.\n"
        "select agreement_id from {{ ref('dim_agreements') }} where revenue_goal > 0\n")
    before = snapshot(published)
    result = CliRunner().invoke(cli, ["build", "--project-dir", str(project),
                                      "--out", str(published)])
    assert result.exit_code == 4, result.output
    assert "assert_revenue_goal_is_positive" in result.output
    assert "the site was not published" in result.output
    assert snapshot(published) == before


def test_an_unknown_kpi_in_the_agreement_text_fails_with_file_and_line(tmp_path, published):
    project = copy_project(tmp_path / "project")
    text = project / "site" / "agreements" / "2015-h2.md"
    lines = text.read_text().splitlines()
    lines.insert(3, "We also promise {{ kpi('happiness') }}.")
    text.write_text("\n".join(lines) + "\n")
    before = snapshot(published)
    result = CliRunner().invoke(cli, ["build", "--project-dir", str(project),
                                      "--out", str(published)])
    assert result.exit_code == 3, result.output
    assert "site/agreements/2015-h2.md:4: unknown KPI 'happiness'" in result.output
    assert snapshot(published) == before
