"""The Overview and the Agreement printed with chromium to PDF, on A4 and Letter (issue #12)."""

from __future__ import annotations

import io
from datetime import date

import pytest

from tests.conftest import DEMO_RAW, REFERENCE
from tests.independent import compute

# A handout for the weekly review: a few sheets, not a screen's worth of chrome.
MAX_SHEETS = 8


@pytest.fixture(scope="module")
def printed(chromium, site_url):
    """Return {(page, paper): (sheets, text)} for the two pages on both papers."""
    from pypdf import PdfReader

    context = chromium.new_context()
    result = {}
    for path in ("index.html", "agreement.html"):
        page = context.new_page()
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
        for paper in ("A4", "Letter"):
            reader = PdfReader(io.BytesIO(page.pdf(format=paper)))
            text = " ".join((sheet.extract_text() or "") for sheet in reader.pages)
            result[(path, paper)] = (len(reader.pages), " ".join(text.split()))
        page.close()
    context.close()
    return result


def test_each_page_prints_on_a_few_sheets_of_a4_and_letter(printed):
    for (path, paper), (sheets, _) in printed.items():
        print(f"{path} on {paper}: {sheets} sheets")
        assert 1 <= sheets <= MAX_SHEETS, (path, paper, sheets)


def test_the_printed_pages_carry_the_headline_numbers_and_no_navigation(printed):
    expected = compute(DEMO_RAW, REFERENCE, date(2015, 10, 15))["2015-h2"]
    revenue = f"${expected['new_revenue']:,.0f}"
    for (path, paper), (_, text) in printed.items():
        assert revenue in text, (path, paper)
        assert "second half 2015 (reset)" in text
        # The navigation (its entries, the search box, the footer credit) is not printed.
        for chrome in ("Plan vs actual", "Change a KPI", "Made with", "Table of contents"):
            assert chrome not in text, (path, paper, chrome)
    overview = printed[("index.html", "A4")][1]
    assert f"{expected['mqls']:,.0f}" in overview and f"{expected['new_leads']:,.0f}" in overview


def test_print_keeps_rows_charts_and_cards_whole_and_light(chromium, site_url):
    context = chromium.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(site_url + "index.html")
    page.emulate_media(media="print")
    style = page.evaluate("""() => {
        const css = (selector, property) => getComputedStyle(
            document.querySelector(selector)).getPropertyValue(property);
        return {
            row: css('.md-typeset tr', 'break-inside'),
            chart: css('.md-typeset img[src$="#only-light"]', 'break-inside'),
            card: css('.grid.cards > ul > li', 'break-inside'),
            sidebar: css('.md-sidebar--primary', 'display'),
            header: css('.md-header', 'display'),
            light_chart: css('.md-typeset img[src$="#only-light"]', 'display'),
            dark_chart: css('.md-typeset img[src$="#only-dark"]', 'display'),
            text: css('.md-typeset', 'color'),
        };
    }""")
    context.close()
    assert style["row"] == style["chart"] == style["card"] == "avoid", style
    assert style["sidebar"] == style["header"] == style["dark_chart"] == "none", style
    assert style["light_chart"] != "none", style
    # Dark text on paper even when the screen was dark.
    assert sum(int(v) for v in style["text"].split("(")[1].split(",")[:3]) < 150, style
