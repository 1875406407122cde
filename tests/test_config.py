"""Configuration and raw-input pre-flight checks fail early with a clear message."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime

import pytest

from generator.commands.configure import make_config
from generator.exceptions import ConfigError
from generator.inputs.precheck import resolve_raw_files
from generator.settings.as_of import last_complete_day, parse_as_of
from tests.conftest import DEMO_RAW


def test_demo_defaults_to_the_demo_as_of_date():
    assert make_config().as_of == date(2015, 10, 15)


LATEST = (date(2015, 10, 14), "America/Chicago")


def test_bad_as_of_is_a_config_error():
    with pytest.raises(ConfigError, match="--as-of"):
        parse_as_of("15/10/2015", date(2015, 1, 1), LATEST)


def test_a_nightly_build_is_as_of_the_last_complete_local_day():
    # At 05:17 UTC on 15 October the 15th has just begun in Chicago (00:17
    # CDT): the last complete day is the 14th, not the 15th "today" gave.
    now = datetime(2015, 10, 15, 5, 17, tzinfo=UTC)
    assert last_complete_day(["America/Chicago"], now) == (date(2015, 10, 14), "America/Chicago")
    # At 03:00 UTC it is still the evening of the 14th in Chicago.
    early = datetime(2015, 10, 15, 3, 0, tzinfo=UTC)
    assert last_complete_day(["America/Chicago"], early)[0] == date(2015, 10, 13)
    assert last_complete_day(["UTC"], early) == (date(2015, 10, 14), "UTC")
    # Several agreements: the day must have ended in every zone.
    assert last_complete_day(["Asia/Bangkok", "America/Chicago"], early) == (
        date(2015, 10, 13),
        "America/Chicago",
    )
    assert parse_as_of("latest", date(2015, 1, 1), LATEST) == date(2015, 10, 14)
    assert parse_as_of(None, date(2015, 1, 1), LATEST) == date(2015, 1, 1)


def test_a_day_that_has_not_ended_is_refused():
    with pytest.raises(
        ConfigError,
        match=r"after the last complete day \(2015-10-14 in "
        r"America/Chicago\)",
    ):
        parse_as_of("2015-10-15", date(2015, 1, 1), LATEST)
    assert parse_as_of("2015-10-14", date(2015, 1, 1), LATEST) == date(2015, 10, 14)


def test_data_builds_default_to_the_last_complete_day():
    expected, _ = last_complete_day(["America/Chicago"])
    assert make_config(data=str(DEMO_RAW)).as_of == expected


def test_data_dir_resolves_every_raw_table():
    files = resolve_raw_files(DEMO_RAW)
    assert sorted(files) == sorted(
        [
            "leads",
            "lead_activities",
            "opportunities",
            "revenue",
            "web_sessions",
            "reps",
            "lead_owner_history",
        ]
    )


def test_the_owner_history_is_optional_but_checked_when_there(tmp_path):
    """Issue #19: a folder without lead_owner_history builds (every breach stays with the
    current owner); one with the file must have its columns."""
    shutil.copytree(DEMO_RAW, tmp_path / "raw")
    history = tmp_path / "raw" / "lead_owner_history.csv"
    history.unlink()
    files = resolve_raw_files(tmp_path / "raw")
    assert files["lead_owner_history"].read_text() == "lead_id,owner_id,valid_from\n"
    history.write_text("lead_id,owner\nL1,S01\n")
    with pytest.raises(
        ConfigError,
        match=r"lead_owner_history.csv: missing required columns "
        r"'owner_id', 'valid_from'",
    ):
        resolve_raw_files(tmp_path / "raw")


def test_missing_raw_file_names_the_table(tmp_path):
    shutil.copytree(DEMO_RAW, tmp_path / "raw")
    (tmp_path / "raw" / "revenue.csv").unlink()
    with pytest.raises(ConfigError, match=r"missing raw table 'revenue' \(expected revenue.csv"):
        resolve_raw_files(tmp_path / "raw")


def test_missing_column_names_the_file_and_the_column(tmp_path):
    shutil.copytree(DEMO_RAW, tmp_path / "raw")
    path = tmp_path / "raw" / "leads.csv"
    lines = path.read_text().splitlines()
    lines[0] = lines[0].replace("mql_at", "mql_date")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ConfigError, match=r"leads.csv: missing required column 'mql_at'"):
        resolve_raw_files(tmp_path / "raw")


def test_data_folder_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="no such folder"):
        make_config(data=str(tmp_path / "nowhere"))
