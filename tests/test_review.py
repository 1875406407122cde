"""Issue #20, the Monday review: a verdict per team, one breach queue, week over week,
what changed and why, alerts to chat, empty states and output.

Figures are checked against tests/independent.py, which computes the KPIs from the raw
files as of any day (the week before is the same computation seven days earlier), never
against the new SQL.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, time, timedelta

import duckdb
import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.site.names import lead_url
from tests.conftest import DEMO_RAW, REFERENCE, copy_built_project, html_tables, page_text
from tests.independent import (
    Agreement,
    business_hours,
    compute,
    is_business_day,
    parse_utc,
    read_csv,
)

AS_OF = date(2015, 10, 15)
CURRENT = "2015-h2"
SEVERITY = {"behind": 1, "missed": 1, "at_risk": 2, "on_track": 3, "met": 3}
ON_TRACK_MIN, AT_RISK_MIN = 1.0, 0.9  # dbt_project.yml vars


def _independent(as_of: date) -> tuple[dict, dict]:
    details: dict = {}
    values = compute(DEMO_RAW, REFERENCE, as_of, details)
    return values[CURRENT], details[CURRENT]


@pytest.fixture(scope="module")
def scorecard(demo_build):
    config, _ = demo_build
    with duckdb.connect(str(config.database_path), read_only=True) as connection:
        cursor = connection.execute(
            "select * from rpt_kpi_scorecard where agreement_id = ?", [CURRENT]
        )
        names = [d[0] for d in cursor.description]
        return {
            row[names.index("kpi_id")]: dict(zip(names, row, strict=True))
            for row in cursor.fetchall()
        }


# -- week over week ---------------------------------------------------------------


def test_the_week_before_is_the_same_kpis_seven_days_earlier(scorecard):
    """Issue #20: "its value and status as of seven days before the as-of day, computed
    by the models from the same data"."""
    values, details = _independent(AS_OF - timedelta(days=7))
    assert len(scorecard) == 21
    for kpi_id, row in scorecard.items():
        assert row["week_before_date"] == AS_OF - timedelta(days=7)
        expected = values[kpi_id]
        if expected is None:
            assert row["actual_week_before"] is None, kpi_id
        else:
            assert row["actual_week_before"] == pytest.approx(expected, rel=1e-9), kpi_id
            assert row["change_since_week_before"] == pytest.approx(
                row["actual"] - expected, rel=1e-9, abs=1e-9
            ), kpi_id
        assert row["status_week_before"] == details["status"][kpi_id], kpi_id


def test_weeks_behind_counts_weekly_evaluations_in_a_row(scorecard):
    """ "behind for N weeks" (consecutive weekly evaluations behind pace), from the as-of
    day back: each week is the independent computation as of that day."""
    statuses = []
    day = AS_OF
    while day >= date(2015, 7, 1):
        statuses.append(_independent(day)[1]["status"])
        day -= timedelta(days=7)
    for kpi_id, row in scorecard.items():
        streak = 0
        while streak < len(statuses) and statuses[streak][kpi_id] == "behind":
            streak += 1
        assert row["weeks_behind"] == streak, kpi_id
    assert max(row["weeks_behind"] for row in scorecard.values()) >= 2  # the rule bites


def test_summary_json_carries_the_week_before(demo_site, scorecard):
    summary = json.loads((demo_site / "summary.json").read_text())
    for entry in summary["kpis"]:
        row = scorecard[entry["id"]]
        assert entry["week_before"]["value"] == row["actual_week_before"]
        assert entry["week_before"]["status"] == row["status_week_before"]
        assert entry["weeks_behind"] == row["weeks_behind"]


# -- a verdict per team, first ----------------------------------------------------


def test_each_team_tile_counts_its_commitments(demo_site):
    _, details = _independent(AS_OF)
    summary = json.loads((demo_site / "summary.json").read_text())
    owners = {entry["id"]: entry["owner"] for entry in summary["kpis"]}
    for team in summary["teams"]:
        statuses = [s for kpi_id, s in details["status"].items() if owners[kpi_id] == team["team"]]
        assert team["commitments"] == len(statuses)
        assert team["on_track"] + team["met"] == sum(s in ("on_track", "met") for s in statuses)
        assert team["at_risk"] == statuses.count("at_risk")
        assert team["behind"] == statuses.count("behind")
        assert team["no_data"] == statuses.count("no_data")
        worst = min(statuses, key=lambda s: SEVERITY.get(s, 9))
        assert team["verdict"] == worst
    text = page_text(demo_site / "index.html", " ")
    tiles = text.index("Each team's commitments")
    assert tiles < text.index("Revenue against the goal") < text.index("Behind pace or target")
    assert text.index("The period before") > text.index("Every commitment")
    sales = next(t for t in summary["teams"] if t["team"] == "sales")
    assert (
        f"{sales['on_track']} on track · {sales['at_risk']} at risk · "
        f"{sales['behind']} behind" in text
    )


def test_the_exceptions_are_worst_first_with_status_second(demo_site):
    values, details = _independent(AS_OF)
    directions = {
        "median_first_touch_business_hours": "lower",
        "p90_first_touch_business_hours": "lower",
        "sales_cycle_days": "lower",
    }

    def attainment(kpi_id):
        actual, pace = values[kpi_id], details["expected"][kpi_id]
        return pace / actual if directions.get(kpi_id) == "lower" else actual / pace

    exceptions = [k for k, s in details["status"].items() if s in ("behind", "at_risk")]
    expected = sorted(exceptions, key=lambda k: (SEVERITY[details["status"][k]], attainment(k)))
    table = next(
        t
        for t in html_tables(demo_site / "index.html")
        if t[0][0][0] == "KPI" and "Gap" in [c[0] for c in t[0]]
    )
    header = [cell[0] for cell in table[0]]
    assert header[:2] == ["KPI", "Status"]
    assert "Still needed in the period" in header and "Of which this month" in header
    shown = [row[0][1].split("#")[1] for row in table[1:]]
    assert shown == expected
    needed = header.index("Still needed in the period")
    for row in table[1:]:  # two figures, two cells: never "$776,450 ($171,677)"
        assert "(" not in row[needed][0] and "(" not in row[needed + 1][0]


# -- one breach queue ---------------------------------------------------------------


def _business_end(agreement: Agreement, day: date) -> datetime:
    return datetime.combine(day, time()).replace(
        hour=int(agreement.row["business_day_end"][:2]),
        minute=int(agreement.row["business_day_end"][3:]),
    )


def test_the_breach_queue_lists_overdue_then_due_soon(demo_site):
    _, details = _independent(AS_OF)
    overdue = set().union(*details["overdue"].values())
    table = next(
        t
        for t in html_tables(demo_site / "handoff.html")
        if [c[0] for c in t[0][:2]] == ["Lead", "Over or left"]
    )
    rows = [(row[0][0], row[1][0]) for row in table[1:]]
    over = [(lead, float(cell.split()[0])) for lead, cell in rows if cell.endswith("over")]
    left = [(lead, float(cell.split()[0])) for lead, cell in rows if cell.endswith("left")]
    assert {lead for lead, _ in over} == overdue
    assert rows == [(lead, f"{hours:.1f} hr over") for lead, hours in over] + [
        (lead, f"{hours:.1f} hr left") for lead, hours in left
    ]
    assert [h for _, h in over] == sorted((h for _, h in over), reverse=True)
    # Due soon, from the words: every pending MQL (untouched, allowance not
    # run out by the end of the as-of day) whose deadline falls by the end of the
    # next business day; hours left on the business clock.
    agreements = {
        r["agreement_id"]: Agreement(r, AS_OF) for r in read_csv(REFERENCE / "sla_agreements.csv")
    }
    agreement = agreements[CURRENT]
    holidays = {date.fromisoformat(r["holiday_date"]) for r in read_csv(REFERENCE / "holidays.csv")}
    end_of_day = datetime.combine(AS_OF + timedelta(days=1), time())
    next_day = AS_OF + timedelta(days=1)
    while not is_business_day(next_day, holidays):
        next_day += timedelta(days=1)
    horizon = business_hours(agreement, holidays, end_of_day, _business_end(agreement, next_day))
    allowance = agreement.num("first_touch_business_hours")
    # A touch: a non-automated activity by a sales rep, at or after the MQL.
    sales = {r["rep_id"] for r in read_csv(DEMO_RAW / "reps.csv") if r["team"] == "sales"}
    touches: dict[str, list[datetime]] = {}
    for activity in read_csv(DEMO_RAW / "lead_activities.csv"):
        if activity["is_automated"].lower() != "true" and activity["rep_id"] in sales:
            touches.setdefault(activity["lead_id"], []).append(parse_utc(activity["occurred_at"]))
    expected = {}
    for lead in read_csv(DEMO_RAW / "leads.csv"):
        mql_at = parse_utc(lead["mql_at"])
        mql = agreement.local(mql_at) if mql_at else None
        if mql is None or not agreement.start <= mql.date() <= AS_OF:
            continue
        if any(
            mql_at <= t and agreement.local(t) < end_of_day
            for t in touches.get(lead["lead_id"], [])
        ):
            continue
        waited = business_hours(agreement, holidays, mql.replace(tzinfo=None), end_of_day)
        if waited < allowance and allowance - waited <= horizon:
            expected[lead["lead_id"]] = round(allowance - waited, 1)
    assert dict(left) == expected and expected, (left, expected)


def test_a_crm_link_is_the_template_with_the_id_quoted():
    links = {
        "lead": "https://app.hubspot.com/contacts/{portal_id}/record/0-1/{lead_id}",
        "portal_id": "1234567",
    }
    assert lead_url(links, "51") == "https://app.hubspot.com/contacts/1234567/record/0-1/51"
    # An id cannot change the host or the path, nor end the link.
    assert lead_url(links, "../x) [y](javascript:alert(1)") == (
        "https://app.hubspot.com/contacts/1234567/record/0-1/"
        "..%2Fx%29%20%5By%5D%28javascript%3Aalert%281%29"
    )
    assert lead_url(None, "51") is None and lead_url(links, "private-3f2a") is None


def test_the_by_rep_table_is_worst_first_with_each_target_and_status(demo_site):
    table = next(
        t
        for t in html_tables(demo_site / "handoff.html")
        if t[0][0][0] == "Rep" and "Within SLA" in t[0][1][0]
    )
    header = [cell[0] for cell in table[0]]
    assert "target 80%" in header[1] and "target 2 hr" in header[2]
    parsed = []
    for row in table[1:]:
        statuses = [
            re.search(r"(On track|At risk|Behind|Too few to judge|No data)$", c[0])
            for c in row[1:4]
        ]
        assert all(statuses), row
        rate = float(row[1][0].split("%")[0])
        parsed.append(
            (min(SEVERITY.get(s[1].lower().replace(" ", "_"), 4) for s in statuses), rate)
        )
    assert parsed == sorted(parsed)  # worst status first, then the lowest share
    assert parsed[0][0] == 1


# -- month by month -------------------------------------------------------------------


def test_the_open_month_is_judged_against_its_rephased_need(demo_site):
    values, details = _independent(AS_OF)
    october = date(2015, 10, 1)
    needed = details["still_needed"]["new_customers"][october]
    months = html_tables(demo_site / "monthly.html")
    table = next(
        t for t in months if t[0][0][0] == "KPI" and "Oct (to date)" in [c[0] for c in t[0]]
    )
    column = [c[0] for c in table[0]].index("Oct (to date)")
    row = next(r for r in table[1:] if r[0][1].endswith("#new_customers"))
    cell = row[column][0]
    actual = float(cell.split(" / ")[0])
    rephased = actual + needed
    pace = rephased * 15 / 31
    expected = (
        "on track"
        if actual / pace >= ON_TRACK_MIN
        else "at risk"
        if actual / pace >= AT_RISK_MIN
        else "behind"
    )
    assert cell.startswith(f"{actual:.0f} / {rephased:.0f}"), cell
    assert expected in cell.lower() and f"needs {needed:.0f} more" in cell
    assert "plan 23" in cell
    assert "Needs is what a month must still bring" in page_text(demo_site / "monthly.html", " ")


# -- what changed, and why ------------------------------------------------------------


@pytest.fixture(scope="module")
def edited_target(tmp_path_factory, plain_build):
    """The demo built, then built again after worked-or-settled's target went 50% -> 70%.

    The copy comes with a finished build's database: its first build re-renders the pages.
    """
    root = tmp_path_factory.mktemp("edited")
    project = copy_built_project(plain_build, root)
    out = root / "site"
    runner = CliRunner()
    first = runner.invoke(cli, ["build", "--project-dir", str(project), "--out", str(out)])
    assert first.exit_code == 0, first.output
    targets = project / "seeds" / "reference" / "sla_targets.csv"
    rows = list(csv.DictReader(targets.open()))
    for row in rows:
        if (row["agreement_id"], row["kpi_id"], row["month"]) == (CURRENT, "mqls_worked_rate", ""):
            assert float(row["target"]) == 0.5
            row["target"] = "0.70"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    targets.write_text(buffer.getvalue())
    second = runner.invoke(cli, ["build", "--project-dir", str(project), "--out", str(out)])
    assert second.exit_code == 0, second.output
    return out


def test_a_target_edited_mid_period_leaves_a_trace(edited_target):
    out = edited_target
    summary = json.loads((out / "summary.json").read_text())
    today = date.fromisoformat(summary["built_at"][:10])  # the day the build saw the edit
    day = f"{today:%a} {today.day} {today:%b %Y}"
    line = f"MQLs worked or settled: target changed on {day} from 50% to 70%"
    assert line in page_text(out / "agreement.html", " ")
    assert f"{CURRENT}: {line}" in page_text(out / "history.html", " ")
    assert summary["target_changes"] == [
        {
            "agreement_id": CURRENT,
            "kind": "target",
            "id": "mqls_worked_rate",
            "unit": "rate",
            "from": 0.5,
            "to": 0.7,
            "changed_on": today.isoformat(),
            "text": f"MQLs worked or settled target changed on {today.isoformat()} from 50% to 70%",
        }
    ]
    assert summary["alerts"]["target_changes"] == [{"text": summary["target_changes"][0]["text"]}]
    history = json.loads((out / "history.json").read_text())
    assert history["in_force"][CURRENT]["targets"]["mqls_worked_rate"]["value"] == 0.7


# -- alerts, output --------------------------------------------------------------------


def test_the_demo_notice_names_reps_counts_and_the_weekly_review(demo_site):
    result = CliRunner().invoke(
        cli,
        [
            "notify",
            "--summary",
            str(demo_site / "summary.json"),
            "--dry-run",
            "--format",
            "slack",
            "--digest",
        ],
    )
    assert result.exit_code == 0, result.output
    text = json.loads(result.output)["text"] + json.dumps(json.loads(result.output)["blocks"])
    summary = json.loads((demo_site / "summary.json").read_text())
    for rep in summary["reps"]:
        if rep["due_next_business_day"]:
            assert f"{rep['rep_name']}: {rep['due_next_business_day']} MQL" in text
    assert "Weekly review" in text and "Sales: Behind" in text
    leads = read_csv(DEMO_RAW / "leads.csv")
    assert not any(lead["email"] in text or lead["full_name"] in text for lead in leads)


def test_each_warning_is_one_plain_sentence_printed_once(tmp_path):
    result = CliRunner().invoke(cli, ["build", "--out", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("Warning: ")]
    assert warnings and len(warnings) == len(set(warnings))
    assert "WARNING generator" not in result.output
    assert any(
        line.startswith("Warning: Revenue line R") and line.endswith(".") for line in warnings
    )
    stage = re.search(r"^pages and charts: (\d+) generated pages", result.output, re.M)
    final = re.search(r"^Built (\d+) pages \((\d+) generated, (\d+) from", result.output, re.M)
    assert stage and final and stage[1] == final[2]
    assert int(final[1]) == int(final[2]) + int(final[3])
