"""Numbers published on the demo site, checked against an independent computation."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.conftest import DEMO_RAW, REFERENCE, html_tables
from tests.independent import compute

DEMO_AS_OF = date(2015, 10, 15)
# Half of the display resolution of each unit, as printed on the site.
RESOLUTION = {"%": 0.0005 + 1e-9, "h": 0.05 + 1e-9, "days": 0.05 + 1e-9, "$": 0.5, "": 0.5}


STATUS = {
    "On track": "on_track",
    "At risk": "at_risk",
    "Behind": "behind",
    "Met": "met",
    "Missed": "missed",
    "Not started": "not_started",
    "Too few to judge": "too_few",
    "No target": "no_target",
    "No data": "no_data",
}


def parse_figure(text: str) -> tuple[float, str]:
    """Return the value and unit of a figure printed on the site ('62.7%' -> 0.627)."""
    text = text.strip()
    # Hours in CLDR's short unit ("2.4 hr", issue #14), read as the unit "h".
    match = re.fullmatch(r"(?:≥ )?(\$)?([\d,]+(?:\.\d+)?)\s*(%|h(?=r$)|days)?r?", text)
    assert match, f"not a figure: {text!r}"
    value = float(match.group(2).replace(",", ""))
    unit = match.group(1) or match.group(3) or ""
    return (value / 100 if unit == "%" else value), unit


@pytest.fixture(scope="module")
def published(demo_site) -> dict[str, dict[str, tuple[float, str]]]:
    """Return {agreement_id: {kpi_id, 'target:kpi_id' or 'status:kpi_id': value}} from History."""
    tables = html_tables(demo_site / "history.html")
    side_by_side = next(t for t in tables if t[0][0][0] == "KPI")
    agreement_ids = [cell[0] for cell in side_by_side[0][1:]]
    figures: dict[str, dict] = {a: {} for a in agreement_ids}
    for row in side_by_side[1:]:
        kpi_id = row[0][1].split("#", 1)[1]
        for agreement_id, (cell, _) in zip(agreement_ids, row[1:], strict=True):
            actual, rest = (part.strip() for part in cell.split(" / "))
            figures[agreement_id][kpi_id] = parse_figure(actual)
            status = next(label for label in STATUS if rest.endswith(label))
            figures[agreement_id][f"status:{kpi_id}"] = STATUS[status]
            target = rest[: -len(status)].strip()
            if target != "–":
                figures[agreement_id][f"target:{kpi_id}"] = parse_figure(target)
    return figures


@pytest.fixture(scope="module")
def independent() -> tuple[dict, dict]:
    details: dict = {}
    return compute(DEMO_RAW, REFERENCE, DEMO_AS_OF, details), details


def test_independent_check_covers_both_periods(published, independent):
    expected, _ = independent
    assert set(published) == set(expected) == {"2015-h1", "2015-h2"}


@pytest.mark.parametrize("agreement_id", ["2015-h1", "2015-h2"])
def test_published_numbers_match_an_independent_computation(
    published, independent, agreement_id, capsys
):
    expected, details = independent
    checked = []
    for key, value in sorted(expected[agreement_id].items()):
        assert key in published[agreement_id], f"{key} is not published for {agreement_id}"
        shown, unit = published[agreement_id][key]
        assert shown == pytest.approx(value, abs=RESOLUTION[unit]), (
            f"{agreement_id} {key}: site shows {shown}, independent value {value}"
        )
        checked.append(f"{key}={shown:g}")
    statuses = details[agreement_id]["status"]
    for kpi_id, status in statuses.items():
        assert published[agreement_id][f"status:{kpi_id}"] == status, (
            f"{agreement_id} {kpi_id}: site says {published[agreement_id][f'status:{kpi_id}']}"
        )
    # Every KPI, its status and the derived targets: far more than ten numbers per period.
    assert len(checked) >= 25
    with capsys.disabled():
        print(
            f"\nindependent check {agreement_id}: {len(checked)} numbers and "
            f"{len(statuses)} statuses match: " + ", ".join(checked)
        )


def test_a_closed_period_says_met_or_missed_everywhere(demo_site, independent):
    _, details = independent
    final = details["2015-h1"]["status"]
    assert set(final.values()) <= {"met", "missed", "too_few", "no_target", "no_data"}
    page = (demo_site / "agreements" / "2015-h1.html").read_text(encoding="utf-8")
    for label in ("On track", "At risk", "Behind"):
        assert f">{label}<" not in page, f"a final agreement's page says {label}"


def test_revenue_on_an_opportunity_not_won_is_one_actionable_warning(demo_build):
    """Issue #19: the lines are counted, and one plain sentence names each revenue line and
    its opportunity by id (never lead data) so someone can fix the CRM; the build prints it
    once."""
    import yaml

    from generator.commands.build import _read_results
    from generator.dbt.changes import load_last_good
    from generator.dbt.runner import last_good_build
    from tests.independent import read_csv

    config, summary = demo_build
    demo_site = summary.out_dir
    stage = {o["opportunity_id"]: o["stage"] for o in read_csv(DEMO_RAW / "opportunities.csv")}
    flagged = [
        line
        for line in read_csv(DEMO_RAW / "revenue.csv")
        if line["revenue_type"] == "new_business"
        and line["opportunity_id"]
        and stage[line["opportunity_id"]] != "closed_won"
    ]
    assert flagged, "the demo holds a new-business line on a lost deal"
    table = next(
        t
        for t in html_tables(demo_site / "data-quality.html")
        if t[0][0][0] == "Input" and t[0][1][0] == "Warning"
    )
    rows = [row for row in table[1:] if row[1][0] == "revenue on an opportunity not won"]
    assert len(rows) == 1, rows
    count, amount, sentence = rows[0][3][0], rows[0][4][0], rows[0][5][0]
    assert (int(count), amount) == (
        len(flagged),
        f"${sum(float(line['amount']) for line in flagged):,.0f}",
    )
    for line in flagged:
        label = stage[line["opportunity_id"]].replace("_", " ")
        assert f"{line['revenue_id']} (opportunity {line['opportunity_id']}, {label})" in sentence
    assert "not won: correct the opportunity stage" in sentence
    leads = read_csv(DEMO_RAW / "leads.csv")
    assert not [lead for lead in leads if lead["lead_id"] in sentence or lead["email"] in sentence]
    # Printed once per build, not once per stage or per line.
    project_vars = yaml.safe_load((config.project_dir / "dbt_project.yml").read_text())["vars"]
    # Issue #20: one plain sentence among the lines the build prints.
    _, quality, _ = _read_results(config, project_vars, last_good_build(load_last_good(config)))
    printed = [line for line in quality.lines() if "not won" in line]
    assert len(printed) == 1 and flagged[0]["revenue_id"] in printed[0], printed
