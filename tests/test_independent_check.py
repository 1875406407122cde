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


def parse_figure(text: str) -> tuple[float, str]:
    """Return the value and unit of a figure printed on the site ('62.7%' -> 0.627)."""
    text = text.strip()
    match = re.fullmatch(r"(\$)?([\d,]+(?:\.\d+)?)\s*(%|h|days)?", text)
    assert match, f"not a figure: {text!r}"
    value = float(match.group(2).replace(",", ""))
    unit = match.group(1) or match.group(3) or ""
    return (value / 100 if unit == "%" else value), unit


@pytest.fixture(scope="module")
def published(demo_site) -> dict[str, dict[str, tuple[float, str]]]:
    """Return {agreement_id: {kpi_id or 'target:kpi_id': (value, unit)}} from history.html."""
    tables = html_tables(demo_site / "history.html")
    side_by_side = next(t for t in tables if t[0][0][0] == "KPI")
    agreement_ids = [cell[0] for cell in side_by_side[0][1:]]
    figures: dict[str, dict[str, tuple[float, str]]] = {a: {} for a in agreement_ids}
    for row in side_by_side[1:]:
        kpi_id = row[0][1].split("#", 1)[1]
        for agreement_id, (cell, _) in zip(agreement_ids, row[1:], strict=True):
            actual, target = (part.strip() for part in cell.split("/"))
            figures[agreement_id][kpi_id] = parse_figure(actual)
            if target != "–":
                figures[agreement_id][f"target:{kpi_id}"] = parse_figure(target.split(" ")[0])
    return figures


@pytest.fixture(scope="module")
def expected() -> dict[str, dict[str, float]]:
    return compute(DEMO_RAW, REFERENCE, DEMO_AS_OF)


def test_independent_check_covers_both_periods(published, expected):
    assert set(published) == set(expected) == {"2015-h1", "2015-h2"}


@pytest.mark.parametrize("agreement_id", ["2015-h1", "2015-h2"])
def test_published_numbers_match_an_independent_computation(published, expected,
                                                            agreement_id, capsys):
    checked = []
    for key, value in sorted(expected[agreement_id].items()):
        assert key in published[agreement_id], f"{key} is not published for {agreement_id}"
        shown, unit = published[agreement_id][key]
        assert shown == pytest.approx(value, abs=RESOLUTION[unit]), \
            f"{agreement_id} {key}: site shows {shown}, independent value {value}"
        checked.append(f"{key}={shown:g}")
    # Every KPI and the derived targets: far more than ten numbers per period.
    assert len(checked) >= 25
    with capsys.disabled():
        print(f"\nindependent check {agreement_id}: {len(checked)} numbers match: "
              + ", ".join(checked))
