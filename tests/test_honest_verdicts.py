"""Verdicts that do not flatter (issue #19), on the demo built as of 2015-06-30 (a period
just closed) and as of 2015-10-15, each figure against tests/independent.py."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from generator.commands.build import build_report
from generator.commands.configure import make_config
from tests.conftest import DEMO_RAW, REFERENCE, html_tables, page_text
from tests.independent import compute, owners_at_mql, parse_utc, read_csv

CLOSED = date(2015, 6, 30)
LATER = date(2015, 10, 15)


@pytest.fixture(scope="module")
def closed_site(tmp_path_factory):
    """The demo built on the last day of its first period: H1 is final."""
    out = tmp_path_factory.mktemp("closed") / "site"
    config = replace(
        make_config(out=str(out), as_of=CLOSED.isoformat()),
        built_at=datetime(2015, 7, 1, 5, 17, tzinfo=UTC),
    )
    build_report(config)
    return out


@pytest.fixture(scope="module")
def closed_independent():
    details: dict = {}
    return compute(DEMO_RAW, REFERENCE, CLOSED, details), details


def test_a_closed_period_names_its_misses(closed_site, closed_independent):
    expected, details = closed_independent
    missed = sorted(k for k, status in details["2015-h1"]["status"].items() if status == "missed")
    no_data = [k for k, status in details["2015-h1"]["status"].items() if status == "no_data"]
    assert missed == ["mql_to_sql_rate", "p90_first_touch_business_hours"]
    summary = json.loads((closed_site / "summary.json").read_text())
    titles = {k["id"]: k["title"] for k in summary["kpis"]}
    assert sorted(summary["exceptions"]) == sorted(missed + no_data)
    assert f"{len(missed)} of 21 KPIs missed (" in summary["headline"]
    assert all(titles[k] in summary["headline"] for k in missed)
    assert f", {len(no_data)} no data." in summary["headline"]
    assert "behind or at risk" not in summary["headline"]
    text = page_text(closed_site / "index.html", " ")
    assert f"{len(missed)} of 21 KPIs missed, {len(no_data)} no data." in text
    assert "Every KPI with a target is on track" not in text
    listed = next(t for t in html_tables(closed_site / "index.html") if t[0][0][0] == "KPI")
    assert sorted(row[0][1].split("#")[1] for row in listed[1:]) == missed
    print(f"as of {CLOSED}: {summary['headline']}")


def test_a_miss_never_prints_as_its_target(closed_site, closed_independent):
    expected, _ = closed_independent
    value = expected["2015-h1"]["mql_to_sql_rate"]
    assert round(value * 100, 1) == 37.0 and value < 0.37  # the case of the issue
    row = next(
        r
        for t in html_tables(closed_site / "agreements" / "2015-h1.html")
        for r in t
        if (r[0][1] or "").endswith("#mql_to_sql_rate")
    )
    shown = re.match(r"[\d.]+%", row[2][0]).group(0)
    assert shown == f"{value * 100:.3f}%" == "36.996%", row
    # Issue #20: the result follows the KPI's name.
    assert row[3][0].startswith("37.0%") and row[1][0] == "Missed"


def test_a_closed_cohort_rate_is_provisional_until_it_matures(closed_site, tmp_path_factory):
    """Recorded on 2015-06-30, MQL to SQL is 37.0% "missed" over the MQLs matured by then;
    the record is provisional until 30 days after the period, so a build as of
    2015-10-15 records the matured figure (37.9%, met) without calling it a restatement."""
    history = json.loads((closed_site / "history.json").read_text())
    recorded = {k["id"]: k for k in history["periods"][0]["kpis"]}
    assert recorded["mql_to_sql_rate"]["as_closed"]["provisional_until"] == "2015-07-30"
    assert recorded["win_rate"]["as_closed"]["provisional_until"] is None
    out = tmp_path_factory.mktemp("later") / "site"
    shutil.copytree(closed_site, out)
    build_report(
        replace(
            make_config(out=str(out), as_of=LATER.isoformat()),
            built_at=datetime(2015, 10, 16, 5, 17, tzinfo=UTC),
        )
    )
    later = {
        k["id"]: k for k in json.loads((out / "history.json").read_text())["periods"][0]["kpis"]
    }
    matured = compute(DEMO_RAW, REFERENCE, LATER)["2015-h1"]["mql_to_sql_rate"]
    closed = later["mql_to_sql_rate"]["as_closed"]
    assert closed["value"] == pytest.approx(matured) and round(matured, 3) == 0.379
    assert (closed["status"], closed["provisional_until"], closed["as_of"]) == (
        "met",
        None,
        LATER.isoformat(),
    )
    assert later["mql_to_sql_rate"]["change"] is None
    # A figure that was final when recorded is never rewritten.
    assert later["win_rate"]["as_closed"] == recorded["win_rate"]["as_closed"]
    # Other H1 figures may be restated (first touches made after 30 June), never these.
    moved = [
        r
        for t in html_tables(out / "history.html")
        for r in t
        if len(r) > 2 and r[1][1] and "#mql_to_sql_rate" in r[1][1]
    ]
    assert not moved


@pytest.fixture(scope="module")
def independent():
    details: dict = {}
    return compute(DEMO_RAW, REFERENCE, LATER, details), details


def test_a_cohort_not_matured_is_maturing_with_its_value_so_far(demo_site, independent):
    _, details = independent
    table = next(
        t for t in html_tables(demo_site / "monthly.html") if [c[0] for c in t[0]][-1] == "Target"
    )
    header = [c[0] for c in table[0]]
    october = header.index("Oct")
    row = next(r for r in table if (r[0][1] or "").endswith("#mql_to_sql_rate"))
    value, cases, matures = details["2015-h2"]["mql_to_sql_by_month"][date(2015, 10, 1)]
    assert matures == date(2015, 11, 14)
    cell = row[october][0]
    assert re.match(r"[\d.]+%", cell).group(0) == f"{value * 100:.1f}%"
    assert "Maturing" in cell and "matures on Sat 14 Nov 2015" in cell and "No data" not in cell
    for month, (rate, _, when) in details["2015-h2"]["mql_to_sql_by_month"].items():
        if when is None:  # matured months are judged as before
            column = header.index(month.strftime("%b"))
            assert row[column][0].startswith(f"{rate * 100:.1f}%"), (month, row[column])


def test_worked_or_settled_shows_its_split(demo_site, independent):
    _, details = independent
    by_attempts, settled = details["2015-h2"]["worked_split"]
    assert (by_attempts, settled) == (163, 370)  # the figures
    text = page_text(demo_site / "handoff.html", " ")
    assert f"{by_attempts} worked to protocol, {settled} settled early" in text
    assert "MQLs worked or settled" in text and "worked to protocol (" not in text


def test_rep_medians_say_when_they_are_lower_bounds(demo_site, independent):
    _, details = independent
    overdue = details["2015-h2"]["overdue"]
    table = next(t for t in html_tables(demo_site / "handoff.html") if t[0][0][0] == "Rep")
    # Issue #20: columns found by their header (each carries its target below it).
    column = next(
        i for i, (cell, _) in enumerate(table[0]) if cell.startswith("Median first touch")
    )
    checked = 0
    for row in table[1:]:
        rep_id = row[0][1].split("/")[-1].split(".")[0]
        median = row[column][0]
        # Untouched past its deadline = due and untouched: the median is only a lower bound.
        assert median.startswith("≥ ") == bool(overdue.get(rep_id)), (rep_id, median)
        rep_page = html_tables(demo_site / "reps" / f"{rep_id}.html")[0]
        mine = [cell for cell, _ in rep_page[0]].index(row[0][0])
        shown = next(r for r in rep_page[1:] if r[0][0] == "Median first touch")[mine][0]
        assert shown.startswith("≥ ") == bool(overdue.get(rep_id)), (rep_id, shown)
        checked += 1
    assert checked >= 8


def test_breaches_stay_with_the_owner_at_mql_time(demo_site, independent):
    """The demo hands some untouched MQLs to another rep a week after the MQL: their miss
    stays with the rep who owned them at MQL time, and the hand-off page says the rule."""
    _, details = independent
    history: dict[str, list[dict]] = {}
    for row in read_csv(DEMO_RAW / "lead_owner_history.csv"):
        history.setdefault(row["lead_id"], []).append(row)
    leads = {lead["lead_id"]: lead for lead in read_csv(DEMO_RAW / "leads.csv")}
    moved = 0
    for rep_id, lead_ids in details["2015-h2"]["overdue"].items():
        page = html_tables(demo_site / "reps" / f"{rep_id}.html")
        listed = {row[0][0] for row in page[-1][1:]}
        for lead_id in lead_ids:
            assert lead_id in listed
            if leads[lead_id]["owner_id"] != rep_id:
                moved += 1  # listed with its owner at MQL time, not its current owner
                assert lead_id in history
    assert moved > 0
    chicago = ZoneInfo("America/Chicago")
    leads_in_h2 = [
        lead
        for lead in leads.values()
        if lead["mql_at"]
        and date(2015, 7, 1) <= parse_utc(lead["mql_at"]).astimezone(chicago).date() <= LATER
    ]
    owners = owners_at_mql(list(leads.values()), read_csv(DEMO_RAW / "lead_owner_history.csv"))
    reassigned = sum(1 for lead in leads_in_h2 if owners[lead["lead_id"]] != lead["owner_id"])
    assert f"MQLs of the period reassigned since: {reassigned}." in page_text(
        demo_site / "handoff.html", " "
    )


def test_the_plan_meets_reality(demo_site, independent):
    _, details = independent
    needed = details["2015-h2"]["needed_at_actual_rates"]
    assert 1400 < needed["mqls"] < 1500  # "about 1,460 MQLs at actual rates, not 920"
    table = next(t for t in html_tables(demo_site / "plan-vs-actual.html") if t[0][0][0] == "Stage")
    rows = {row[0][0]: row for row in table[1:]}
    assert rows["MQLs"][1][0] == "920" and rows["MQLs"][2][0] == f"{needed['mqls']:,}"
    assert rows["SQLs"][2][0] == f"{needed['sqls']:,}"
    assert "matured cohort" in rows["MQLs"][-1][0] and "period ratio" in rows["Leads"][-1][0]
    # The leak: the stage furthest below its assumed rate, worked out here.
    agreement = next(
        r for r in read_csv(REFERENCE / "sla_agreements.csv") if r["agreement_id"] == "2015-h2"
    )
    totals = compute(DEMO_RAW, REFERENCE, LATER)["2015-h2"]
    actual = {
        "SQL to opportunity": totals["opportunities"] / totals["sqls"],
        "Opportunity to proposal": totals["proposals"] / totals["opportunities"],
        "Proposal to win": totals["marketing_sourced_customers"] / totals["proposals"],
        "MQL to SQL (matured cohort)": totals["mql_to_sql_rate"],
        "Lead to MQL (matured cohort)": totals["lead_to_mql_rate"],
        "Visit to lead": totals["new_leads"] / totals["web_sessions"],
    }
    assumed = {
        "SQL to opportunity": "sql_to_opportunity",
        "Opportunity to proposal": "opportunity_to_proposal",
        "Proposal to win": "proposal_to_win",
        "MQL to SQL (matured cohort)": "mql_to_sql",
        "Lead to MQL (matured cohort)": "lead_to_mql",
        "Visit to lead": "visit_to_lead",
    }
    leak = min(actual, key=lambda name: actual[name] / float(agreement[assumed[name]]))
    assert f"The leak: {leak}" in page_text(demo_site / "plan-vs-actual.html", " ")
    monthly = page_text(demo_site / "monthly.html", " ")
    assert f"would need {needed['mqls']:,} MQLs , not the planned 920" in monthly


def test_the_definitions_page_states_the_attribution_rule(demo_site):
    text = page_text(demo_site / "definitions.html", " ")
    assert "Marketing-sourced (attribution mql_before_opportunity , the default)" in text
    assert "had become an MQL at or before the opportunity was created" in text
    assert "sales-sourced" in text
