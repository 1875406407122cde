"""Issue #20 in a real browser: on a 390 px phone every KPI's status is visible without
scrolling sideways and chart text stays at least 10 px; a status badge is never under
12 px; at desktop width and on a phone, in light and in dark mode."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import pytest

from tests.browser import DESKTOP, PHONE, Tab

SCORECARD_PAGES = (
    "index.html",
    "marketing.html",
    "handoff.html",
    "sales.html",
    "agreement.html",
    "agreements/2015-h1.html",
    "reps/S01.html",
)

STATUS_COLUMNS = """() => {
    // Each table with a Status (or Result) column: that column's index, and for
    // every badge in it whether it lies inside the screen with no sideways scroll.
    const tables = [];
    for (const table of document.querySelectorAll("article table")) {
        const header = [...table.querySelectorAll("thead th")].map(th => th.innerText.trim());
        const column = header.findIndex(h => h === "Status" || h === "Result");
        if (column < 0) continue;
        const badges = [...table.querySelectorAll("tbody tr")].map(row => {
            const cell = row.children[column];
            const badge = cell && cell.querySelector(".sla-status");
            if (!badge) return null;
            const box = badge.getBoundingClientRect();
            return {left: box.left, right: box.right, text: badge.innerText};
        }).filter(Boolean);
        tables.push({header, column, badges});
    }
    return {width: document.documentElement.clientWidth, tables};
}"""

BADGE_SIZES = """() => [...document.querySelectorAll("article .sla-status")].map(
    badge => parseFloat(getComputedStyle(badge).fontSize))"""

CHARTS = """() => [...document.querySelectorAll("article picture.sla-chart img")]
    .filter(img => img.offsetParent !== null)
    .map(img => ({src: img.currentSrc, shown: img.getBoundingClientRect().width}))"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_status_is_in_view_and_badges_are_readable(chromium, site_url, viewport, scheme):
    phone = viewport is PHONE
    context = chromium.new_context(
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
        color_scheme=scheme,
    )
    out_of_view, small, counted = {}, {}, 0
    tab = Tab(context)
    for path in SCORECARD_PAGES:
        page, log = tab.open(site_url + path)
        found = page.evaluate(STATUS_COLUMNS)
        assert found["tables"], path
        for table in found["tables"]:
            # The status comes right after the KPI's name (or the rep's).
            assert table["column"] == 1, (path, table["header"])
            for badge in table["badges"]:
                counted += 1
                if badge["left"] < 0 or badge["right"] > found["width"]:
                    out_of_view.setdefault(path, []).append(badge)
        sizes = page.evaluate(BADGE_SIZES)
        if not sizes or min(sizes) < 12:
            small[path] = min(sizes) if sizes else None
        assert log.problems() == [], path
    context.close()
    print(
        f"{scheme}, {viewport['width']} px: {counted} statuses in view on "
        f"{len(SCORECARD_PAGES)} pages"
    )
    assert counted > 50 and out_of_view == {}
    assert small == {}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_chart_text_is_at_least_10_px(chromium, site_url, demo_site, viewport, scheme):
    context = chromium.new_context(viewport=viewport, color_scheme=scheme)
    smallest = {}
    tab = Tab(context)
    for path in (
        "index.html",
        "marketing.html",
        "handoff.html",
        "sales.html",
        "monthly.html",
        "plan-vs-actual.html",
    ):
        page, log = tab.open(site_url + path)
        for chart in page.evaluate(CHARTS):
            name = chart["src"].rsplit("/", 1)[-1].split("#")[0]
            if viewport is PHONE:
                assert "-narrow" in name, (path, name)  # the phone's own twin
            assert ("-dark" in name) == (scheme == "dark"), (path, name)
            svg = ElementTree.parse(demo_site / "charts" / name).getroot()
            width = float(re.match(r"[\d.]+", svg.get("width"))[0])
            sizes = [
                float(re.match(r"[\d.]+", e.get("font-size"))[0])
                for e in svg.iter()
                if e.get("font-size")
            ]
            smallest[f"{path}: {name}"] = min(sizes) * chart["shown"] / width
        assert log.problems() == [], path
    context.close()
    print(
        f"{scheme} {viewport['width']} px: {len(smallest)} charts, smallest text "
        f"{min(smallest.values()):.1f} px"
    )
    assert smallest and min(smallest.values()) >= 10, sorted(
        smallest.items(), key=lambda item: item[1]
    )[:3]
