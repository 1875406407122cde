"""The demo data generator is deterministic and the committed demo is its output."""

from __future__ import annotations

import filecmp

from generator.commands.demo_data import write_demo_data
from generator.inputs.raw_columns import RAW_TABLES
from tests.conftest import DEMO_RAW


def test_committed_demo_seeds_are_the_generators_output(tmp_path):
    counts = write_demo_data(tmp_path)
    for table in RAW_TABLES:
        assert filecmp.cmp(tmp_path / f"{table}.csv", DEMO_RAW / f"{table}.csv", shallow=False), (
            f"seeds/raw/{table}.csv differs from `sla-report demo-data` output"
        )
    assert counts["leads"] > 3000 and counts["lead_activities"] > 10000


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    write_demo_data(tmp_path / "a", seed=7, scale=0.2)
    write_demo_data(tmp_path / "b", seed=7, scale=0.2)
    write_demo_data(tmp_path / "c", seed=8, scale=0.2)
    assert filecmp.cmp(tmp_path / "a" / "leads.csv", tmp_path / "b" / "leads.csv", shallow=False)
    assert not filecmp.cmp(
        tmp_path / "a" / "leads.csv", tmp_path / "c" / "leads.csv", shallow=False
    )


def test_scale_multiplies_volumes(tmp_path):
    small = write_demo_data(tmp_path / "small", scale=0.25)
    large = write_demo_data(tmp_path / "large", scale=1.0)
    assert 3 < large["leads"] / small["leads"] < 5


def test_demo_tells_the_reset_story():
    reps = (DEMO_RAW / "reps.csv").read_text().splitlines()[1:]
    sales = [line for line in reps if ",sales," in line]
    joined_in_july = [line for line in sales if ",2015-07-01," in line]
    assert len(joined_in_july) / (len(sales) - len(joined_in_july)) >= 0.25
    assert "@example.com" in (DEMO_RAW / "leads.csv").read_text()
