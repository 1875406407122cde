"""Agreement settings are checked before dbt runs, one message per agreement and field (#11)."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.commands.agreement import create_agreement, parse_amount
from generator.commands.configure import make_config
from generator.exceptions import ConfigError
from generator.inputs.reference_seeds import check_reference
from tests.conftest import REFERENCE, copy_project

KPI_MODELS = ["fct_marketing_kpis", "fct_handoff_kpis", "fct_sales_kpis"]


def _edit(path, line_index: int, **changes) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames, list(reader)
    rows[line_index].update(changes)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


@pytest.fixture()
def project(tmp_path):
    """A copy of the project whose seeds a test may break."""
    return copy_project(tmp_path / "project")


AGREEMENT_CASES = [
    ({"revenue_goal": "0"}, "revenue_goal: must be positive, not '0'"),
    ({"revenue_goal": "-5"}, "revenue_goal: must be positive"),
    ({"revenue_goal": "1,600,000"}, "revenue_goal: '1,600,000' is not a number"),
    ({"revenue_goal": "nan"}, "revenue_goal: 'nan' is not a finite number"),
    ({"average_deal_size": "0"}, "average_deal_size: must be positive"),
    ({"lead_to_mql": "45"}, "lead_to_mql: must be a rate above 0 and at most 1 (45% is 0.45)"),
    ({"proposal_to_win": "0"}, "proposal_to_win: must be a rate above 0"),
    ({"marketing_revenue_share": "1.2"}, "marketing_revenue_share: must be a rate"),
    ({"min_touch_attempts": "2.5"}, "min_touch_attempts: must be a whole number above 0"),
    ({"timezone": "Chicago"}, "timezone: 'Chicago' is not an IANA time zone"),
    ({"timezone": ""}, "timezone: '' is not an IANA time zone"),
    (
        {"business_day_end": "08:00"},
        "business_day_end: 08:00 must be after business_day_start 09:00",
    ),
    ({"business_day_start": "9am"}, "business_day_start: '9am' is not a time of day"),
    ({"ends_on": "2015-06-30"}, "ends_on: 2015-06-30 is before starts_on 2015-07-01"),
    ({"starts_on": "2015-13-01"}, "starts_on: '2015-13-01' is not a date"),
    (
        {"starts_on": "2015-06-01"},
        "starts_on: 2015-06-01 to 2015-12-31 overlaps agreement '2015-h1'",
    ),
    ({"agreement_id": "2015-h1"}, "agreement_id: already used on line 2"),
    ({"min_sample": "0"}, "min_sample: must be a whole number above 0, not '0'"),
    ({"conversion_window_days": "x"}, "conversion_window_days: 'x' is not a number"),
]


@pytest.mark.parametrize(("changes", "message"), AGREEMENT_CASES)
def test_a_bad_agreement_setting_names_the_agreement_and_the_field(project, changes, message):
    _edit(project / "seeds" / "reference" / "sla_agreements.csv", 1, **changes)
    with pytest.raises(ConfigError) as error:
        check_reference(project, KPI_MODELS)
    text = str(error.value)
    agreement = changes.get("agreement_id", "2015-h2")
    assert f"sla_agreements.csv: line 3: agreement {agreement!r}, {message}" in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kpi_id": "happiness"}, "kpi_id: 'happiness' is not a KPI (known: "),
        ({"agreement_id": "2099"}, "agreement_id: no such agreement in sla_agreements.csv"),
        ({"target": "lots"}, "target: 'lots' is not a number"),
        ({"month": "2015-03-01"}, "month: March 2015 is outside the agreement's period"),
        ({"month": "2015-08-15"}, "month: 2015-08-15 must be the first day of a month"),
    ],
)
def test_a_bad_target_names_the_agreement_and_the_field(project, changes, message):
    index = _first_h2_target(project)
    _edit(project / "seeds" / "reference" / "sla_targets.csv", index, **changes)
    with pytest.raises(ConfigError, match=f"sla_targets.csv: line {index + 2}: agreement") as error:
        check_reference(project, KPI_MODELS)
    assert message in str(error.value)


def _first_h2_target(project) -> int:
    """Return the row index of the first whole-period target of 2015-h2 (July-December)."""
    with (project / "seeds" / "reference" / "sla_targets.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return next(
        number
        for number, row in enumerate(rows)
        if row["agreement_id"] == "2015-h2" and not row["month"]
    )


def test_the_committed_reference_seeds_pass():
    check_reference(REFERENCE.parent.parent, KPI_MODELS)


def test_a_holiday_that_is_not_a_date_is_refused(project):
    path = project / "seeds" / "reference" / "holidays.csv"
    path.write_text(path.read_text(encoding="utf-8") + "Dec 25,Christmas\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"holidays.csv: line \d+: holiday_date: 'Dec 25'"):
        check_reference(project, KPI_MODELS)


def test_revenue_goal_zero_is_exit_3_with_one_line_and_no_traceback(project, tmp_path):
    """It used to end in 'internal error: ZeroDivisionError'."""
    _edit(project / "seeds" / "reference" / "sla_agreements.csv", 1, revenue_goal="0")
    out = tmp_path / "site"
    result = CliRunner().invoke(cli, ["build", "--project-dir", str(project), "--out", str(out)])
    assert result.exit_code == 3, result.output
    assert result.output.strip().splitlines() == [
        f"Error: {project / 'seeds' / 'reference' / 'sla_agreements.csv'}: line 3: agreement "
        "'2015-h2', revenue_goal: must be positive, not '0'"
    ]
    assert not out.exists()


def test_the_check_runs_before_dbt(project):
    _edit(project / "seeds" / "reference" / "sla_agreements.csv", 0, timezone="Mars/Olympus")
    with pytest.raises(ConfigError, match="'2015-h1', timezone: 'Mars/Olympus'"):
        make_config(project_dir=project)


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("1234567", "1234567"),
        ("1234567.89", "1234567.89"),
        (" 2_000_000 ", "2000000"),
        ("1.5e6", "1500000"),
        (1234567.0, "1234567"),
    ],
)
def test_agreement_amounts_are_written_exactly_as_given(given, written):
    assert parse_amount(given, "--revenue-goal") == written


@pytest.mark.parametrize("given", ["0", "-1", "abc", "1,234", "inf", "nan"])
def test_a_bad_revenue_goal_option_is_refused(given):
    with pytest.raises(ConfigError, match="--revenue-goal must be a"):
        parse_amount(given, "--revenue-goal")


def test_agreement_new_writes_the_goal_as_typed(project):
    from datetime import date

    create_agreement(
        project, "2015-h2", date(2016, 1, 1), date(2016, 6, 30), revenue_goal="1234567"
    )
    rows = list(
        csv.DictReader(
            (project / "seeds" / "reference" / "sla_agreements.csv").open(encoding="utf-8")
        )
    )
    assert rows[-1]["revenue_goal"] == "1234567"


def test_the_cli_writes_the_goal_as_typed(project):
    result = CliRunner().invoke(
        cli,
        [
            "agreement",
            "new",
            "--from",
            "2015-h2",
            "--starts",
            "2016-01-01",
            "--ends",
            "2016-06-30",
            "--revenue-goal",
            "1234567",
            "--project-dir",
            str(project),
        ],
    )
    assert result.exit_code == 0, result.output
    text = (project / "seeds" / "reference" / "sla_agreements.csv").read_text(encoding="utf-8")
    assert ",1234567," in text and "e+06" not in text


def test_the_same_rules_run_as_dbt_data_tests_on_the_seeds(project, tmp_path):
    """A warehouse user who runs dbt without the CLI gets the same protection."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    seeds = project / "seeds" / "reference"
    _edit(
        seeds / "sla_agreements.csv",
        0,
        revenue_goal="0",
        lead_to_mql="45",
        timezone="Mars/Olympus",
        business_day_end="08:00",
        ends_on="2014-12-31",
    )
    _edit(seeds / "sla_targets.csv", _first_h2_target(project), month="2015-03-01", target="-1")
    dbt = Path(sys.executable).parent / "dbt"
    result = subprocess.run(
        [
            str(dbt),
            "build",
            "--select",
            "sla_agreements",
            "sla_targets",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(tmp_path / "t"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        env={**os.environ, "SLA_REPORT_DUCKDB_PATH": str(tmp_path / "w.duckdb")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout
    # Issue #23: each seed's checks are one dbt test, which stores its failing
    # checks by name (dbt's output says only how many).
    failing = _stored_failing_checks(tmp_path / "w.duckdb")
    expected = (
        "sla_agreements_amounts_are_positive",
        "sla_agreements_rates_are_above_0_and_at_most_1",
        "sla_agreements_time_zone_is_known",
        "sla_agreements_business_day_ends_after_it_starts",
        "sla_agreements_end_on_or_after_they_start",
        "sla_targets_are_not_negative",
        "sla_targets_months_are_first_days_inside_their_period",
    )
    for test in expected:
        assert test in failing, test
    # And only they: the seeds' other checks (not null, unique, relationships) pass.
    assert set(failing) == {*expected}, failing


def _stored_failing_checks(database) -> dict[str, int]:
    """Return the failing checks every `checks` test stored (issue #23) in a DuckDB file."""
    import duckdb

    from generator.dbt.checks import read_failing_checks

    failing: dict[str, int] = {}
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'dbt_test__audit' and table_name like 'checks_%'"
        ).fetchall()
        for (table,) in tables:
            failing.update(read_failing_checks(connection, f'dbt_test__audit."{table}"'))
    return failing


def test_agreement_commands_answer_a_broken_seed_in_one_line(project):
    _edit(project / "seeds" / "reference" / "sla_agreements.csv", 0, ends_on="30/06/2015")
    result = CliRunner().invoke(
        cli, ["agreement", "reset", "2015-h2", "--on", "2015-10-01", "--project-dir", str(project)]
    )
    assert result.exit_code == 3, result.output
    assert "agreement '2015-h1', ends_on: '30/06/2015' is not a date" in result.output
    assert "Traceback" not in result.output
