"""Configuration and raw-input pre-flight checks fail early with a clear message."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from generator.config import make_config, parse_as_of, resolve_raw_files
from generator.exceptions import ConfigError
from tests.conftest import DEMO_RAW


def test_demo_defaults_to_the_demo_as_of_date():
    assert make_config().as_of == date(2015, 10, 15)


def test_bad_as_of_is_a_config_error():
    with pytest.raises(ConfigError, match="--as-of"):
        parse_as_of("15/10/2015", date(2015, 1, 1))


def test_data_dir_resolves_every_raw_table():
    files = resolve_raw_files(DEMO_RAW)
    assert sorted(files) == sorted(["leads", "lead_activities", "opportunities", "revenue",
                                    "web_sessions", "reps"])


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
