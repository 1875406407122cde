"""summary.json: the nightly notifier's input."""

from __future__ import annotations

import json
from datetime import date

import pytest

from generator.report.summary import make_summary
from tests.conftest import DEMO_RAW, REFERENCE
from tests.independent import compute
from tests.test_agreement_text import kpi

AGREEMENT = {
    "agreement_id": "a1",
    "title": "H2",
    "elapsed_days": 10,
    "period_days": 100,
    "period_state": "in_progress",
    "days_left": 90,
}


def test_demo_summary_holds_the_independent_figures(demo_site, capsys):
    summary = json.loads((demo_site / "summary.json").read_text())
    details: dict = {}
    expected = compute(DEMO_RAW, REFERENCE, date(2015, 10, 15), details)["2015-h2"]
    independent = details["2015-h2"]
    assert summary["as_of"] == "2015-10-15" and summary["agreement_id"] == "2015-h2"
    by_id = {entry["id"]: entry for entry in summary["kpis"]}
    kpi_ids = [key for key in expected if not key.startswith("target:")]
    assert set(by_id) == set(kpi_ids)
    # Every KPI: value, target, the one pace curve and the status of issue #7.
    for kpi_id in kpi_ids:
        entry = by_id[kpi_id]
        assert entry["value"] == pytest.approx(expected[kpi_id]), kpi_id
        assert entry["target"] == pytest.approx(expected.get(f"target:{kpi_id}")), kpi_id
        assert entry["expected_to_date"] == pytest.approx(independent["expected"][kpi_id]), kpi_id
        assert entry["status"] == independent["status"][kpi_id], kpi_id
        assert entry["sample_size"] == independent["samples"].get(kpi_id), kpi_id
        assert entry["all_sources"] == independent["all_sources"].get(kpi_id), kpi_id
        # Issue #19: sales-sourced beside marketing-sourced, and why a figure is no data.
        assert entry["sales_sourced"] == independent["sales_sourced"].get(kpi_id), kpi_id
        assert entry.get("reason") == independent["reasons"].get(kpi_id), kpi_id
        assert entry.get("matures_on") == (
            independent["matures_on"][kpi_id].isoformat()
            if kpi_id in independent["matures_on"]
            else None
        ), kpi_id
    assert summary["headline"].startswith("SLA report as of 2015-10-15:")
    assert summary["headline"].endswith("First build.")
    with capsys.disabled():
        print(f"\nsummary.json: {len(kpi_ids)} KPIs match in value, target, pace and status")


def test_changes_since_the_previous_build_are_listed():
    previous = make_summary(
        AGREEMENT,
        [kpi(status="on_track"), kpi("win_rate", 0.3, 0.25)],
        "2015-10-14",
        "2015-10-14T05:17:00Z",
        None,
    )
    current = make_summary(
        AGREEMENT,
        [kpi(status="behind"), kpi("win_rate", 0.3, 0.25)],
        "2015-10-15",
        "2015-10-15T05:17:00Z",
        previous,
    )
    assert current["changes_since_previous_build"] == [
        {
            "id": "mqls",
            "title": "MQLs",
            "from": "on_track",
            "to": "behind",
            "text": "MQLs: On track → Behind",
        }
    ]
    assert "Changed: MQLs: On track → Behind." in current["headline"]
    assert current["previous_build"] == "2015-10-14T05:17:00Z"


def test_a_new_agreement_is_not_compared_with_the_old_one():
    previous = make_summary(
        {**AGREEMENT, "agreement_id": "old"}, [kpi(status="on_track")], "2015-06-30", "x", None
    )
    current = make_summary(AGREEMENT, [kpi(status="behind")], "2015-07-01", "y", previous)
    assert current["changes_since_previous_build"] == []
