"""The agreement's life: new periods, gaps, resets that split every KPI at the boundary."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import DEMO_RAW, copy_project, html_tables, page_text
from tests.independent import compute
from tests.test_independent_check import RESOLUTION, parse_figure


def agreements(project) -> dict[str, dict]:
    with (project / "seeds" / "reference" / "sla_agreements.csv").open() as handle:
        return {row["agreement_id"]: row for row in csv.DictReader(handle)}


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_new_agreement_copies_terms_targets_and_text(tmp_path):
    project = copy_project(tmp_path / "p")
    result = run(
        "agreement",
        "new",
        "--from",
        "2015-h2",
        "--starts",
        "2016-02-01",
        "--ends",
        "2016-06-30",
        "--revenue-goal",
        "2000000",
        "--project-dir",
        project,
    )
    assert result.exit_code == 0, result.output
    assert "Added agreement 2016-02-01: 2016-02-01 to 2016-06-30" in result.output
    assert "31 days without an agreement" in result.output  # January 2016 is a gap
    rows = agreements(project)
    assert (
        rows["2016-02-01"]["revenue_goal"] == "2e+06"
        or float(rows["2016-02-01"]["revenue_goal"]) == 2000000
    )
    assert (
        rows["2016-02-01"]["first_touch_business_hours"]
        == rows["2015-h2"]["first_touch_business_hours"]
    )
    text = project / "site" / "agreements" / "2016-02-01.md"
    assert text.read_text() == (project / "site" / "agreements" / "2015-h2.md").read_text()
    with (project / "seeds" / "reference" / "sla_targets.csv").open() as handle:
        carried = [r for r in csv.DictReader(handle) if r["agreement_id"] == "2016-02-01"]
    assert carried and all(not r["month"] for r in carried)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "2015-h2", "--starts", "2015-12-01", "--ends", "2016-03-31"],
            "overlaps 2015-h2 (2015-07-01 to 2015-12-31)",
        ),
        (
            ["--from", "2015-h9", "--starts", "2016-01-01", "--ends", "2016-03-31"],
            "unknown agreement '2015-h9'",
        ),
        (
            ["--from", "2015-h2", "--starts", "2016-31-01", "--ends", "2016-03-31"],
            "--starts must be a date",
        ),
        (
            ["--from", "2015-h2", "--starts", "2016-03-01", "--ends", "2016-01-31"],
            "is before --starts",
        ),
    ],
)
def test_bad_new_agreement_is_refused_and_nothing_changes(tmp_path, args, message):
    project = copy_project(tmp_path / "p")
    before = (project / "seeds" / "reference" / "sla_agreements.csv").read_bytes()
    result = run("agreement", "new", *args, "--project-dir", project)
    assert result.exit_code == 3
    assert message in result.output
    assert (project / "seeds" / "reference" / "sla_agreements.csv").read_bytes() == before


def test_reset_outside_the_period_is_refused(tmp_path):
    project = copy_project(tmp_path / "p")
    result = run("agreement", "reset", "2015-h1", "--on", "2015-08-01", "--project-dir", project)
    assert result.exit_code == 3 and "must fall after" in result.output


@pytest.fixture(scope="module")
def reset_build(tmp_path_factory):
    """Reset the second half on 1 October with its own goal, then build."""
    root = tmp_path_factory.mktemp("reset")
    project = copy_project(root / "p")
    result = run(
        "agreement",
        "reset",
        "2015-h2",
        "--on",
        "2015-10-01",
        "--id",
        "2015-q4",
        "--revenue-goal",
        "450000",
        "--project-dir",
        project,
    )
    assert result.exit_code == 0, result.output
    assert "2015-h2 now ends on 2015-09-30" in result.output
    # And the next period is already signed, after a one-month gap.
    result = run(
        "agreement",
        "new",
        "--from",
        "2015-q4",
        "--starts",
        "2016-02-01",
        "--ends",
        "2016-06-30",
        "--id",
        "2016-h1",
        "--project-dir",
        project,
    )
    assert result.exit_code == 0, result.output
    # Month rows the build cannot use (issue #7): one for a rate, one for a KPI
    # whose period target was removed. Reported, never dropped silently. (A
    # month outside the period or an unknown KPI is refused before dbt runs.)
    targets = project / "seeds" / "reference" / "sla_targets.csv"
    lines = [
        line
        for line in targets.read_text().splitlines()
        if not line.startswith("2015-q4,p90_first_touch_business_hours,,")
    ]
    lines += [
        "2015-q4,win_rate,2015-11-01,0.3",
        "2015-q4,p90_first_touch_business_hours,2015-11-01,6",
    ]
    targets.write_text("\n".join(lines) + "\n")
    result = run("build", "--project-dir", project, "--out", root / "site")
    assert result.exit_code == 0, result.output
    return project, root / "site"


def test_reset_splits_every_kpi_and_target_at_the_boundary(reset_build):
    project, site = reset_build
    expected = compute(DEMO_RAW, project / "seeds" / "reference", date(2015, 10, 15))
    assert set(expected) == {"2015-h1", "2015-h2", "2015-q4", "2016-h1"}
    table = next(t for t in html_tables(site / "history.html") if t[0][0][0] == "KPI")
    periods = [cell[0] for cell in table[0][1:]]
    checked = 0
    for row in table[1:]:
        kpi_id = row[0][1].split("#", 1)[1]
        for agreement_id, (cell, _) in zip(periods, row[1:], strict=True):
            actual, target = (part.strip() for part in cell.split(" / "))
            if expected[agreement_id][kpi_id] is None:  # nothing to divide by yet
                assert actual == "–"
                checked += 1
                continue
            value, unit = parse_figure(actual)
            resolution = RESOLUTION[unit]
            assert value == pytest.approx(expected[agreement_id][kpi_id], abs=resolution)
            if f"target:{kpi_id}" in expected[agreement_id]:
                shown, _ = parse_figure(target.split(" ")[0])
                assert shown == pytest.approx(
                    expected[agreement_id][f"target:{kpi_id}"], abs=resolution
                )
            checked += 1
    assert checked == 4 * len(table[1:])


def test_reset_period_volumes_add_up_to_the_unsplit_period(reset_build):
    from tests.conftest import REFERENCE

    project, _ = reset_build
    split = compute(DEMO_RAW, project / "seeds" / "reference", date(2015, 10, 15))
    whole = compute(DEMO_RAW, REFERENCE, date(2015, 10, 15))
    for kpi_id in ("mqls", "new_leads", "opportunities", "new_revenue", "web_sessions"):
        assert split["2015-h2"][kpi_id] + split["2015-q4"][kpi_id] == pytest.approx(
            whole["2015-h2"][kpi_id]
        )


def test_overview_shows_the_new_period_in_force_and_the_one_before(reset_build):
    _, site = reset_build
    text = page_text(site / "index.html")
    assert "Sales & Marketing SLA: 1 Oct 2015 to 31 Dec 2015" in text
    assert "The period before: Sales & Marketing SLA: second half 2015 (reset)" in text
    assert "77 days left" in text


def test_reset_moves_the_month_targets_of_months_now_in_the_new_period(reset_build):
    project, _ = reset_build
    with (project / "seeds" / "reference" / "sla_targets.csv").open() as handle:
        december = [r for r in csv.DictReader(handle) if r["month"] == "2015-12-01"]
    assert [r["agreement_id"] for r in december] == ["2015-q4"]


def test_history_shows_the_gap_and_the_upcoming_period(reset_build):
    _, site = reset_build
    periods = html_tables(site / "history.html")[0]
    cells = [[cell[0] for cell in row] for row in periods[1:]]
    assert ["No agreement", "31 days", "Gap", "", "", ""] in cells
    upcoming = next(row for row in cells if row[0].endswith("1 Feb 2016 to 30 Jun 2016"))
    assert upcoming[2] == "Upcoming"


def test_an_upcoming_period_is_not_started_not_on_track(reset_build):
    _, site = reset_build
    table = next(t for t in html_tables(site / "history.html") if t[0][0][0] == "KPI")
    column = [cell[0] for cell in table[0]].index("2016-h1")
    cells = [row[column][0] for row in table[1:]]
    assert cells and all(cell.endswith(" Not started") for cell in cells), cells
    summary = next(
        row
        for row in html_tables(site / "history.html")[0]
        if row[0][0].endswith("1 Feb 2016 to 30 Jun 2016")
    )
    assert summary[-1][0] == "not started"


def test_month_targets_that_cannot_be_used_are_reported(reset_build):
    _, site = reset_build
    table = next(
        t
        for t in html_tables(site / "data-quality.html")
        if t[0][0][0] == "Input" and t[0][1][0] == "Warning"
    )
    ignored = {row[2][0]: row[5][0] for row in table[1:] if row[1][0] == "ignored month target"}
    assert ignored == {
        "2015-q4 win_rate 2015-11-01": (
            "not a volume: rates and durations keep their period target every month"
        ),
        "2015-q4 p90_first_touch_business_hours 2015-11-01": (
            "the KPI has no period target to phase"
        ),
    }
