"""The demo site in a real browser (issue #12): Debian's chromium driven by Playwright.

Every page is loaded over HTTP from 127.0.0.1 and from file://, as readers
open it; each test lists every page it checked and every problem it saw.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.browser import DESKTOP, PHONE, Tab, serve, site_pages
from tests.conftest import DEMO_RAW, REFERENCE
from tests.independent import compute

AS_OF = date(2015, 10, 15)


@pytest.fixture(scope="module")
def pages(demo_site) -> list[str]:
    """Return every HTML page of the demo site; the demo has well over 20."""
    found = site_pages(demo_site)
    assert len(found) >= 20 and "index.html" in found and "reps/S01.html" in found
    return found


@pytest.fixture(scope="module")
def expected():
    """Return the demo's figures computed independently from the raw CSV files."""
    return compute(DEMO_RAW, REFERENCE, AS_OF)["2015-h2"]


def test_a_tab_reports_each_load_s_own_problems(chromium, tmp_path):
    """The tests load page after page in one tab (tests/browser.py, Tab): a
    page's console error, missing file and request off the machine are its
    own, neither lost nor carried over to the next page."""
    (tmp_path / "clean.html").write_text("<h1>clean</h1>", encoding="utf-8")
    (tmp_path / "broken.html").write_text(
        '<h1>broken</h1><script>console.error("boom")</script>'
        '<img src="missing.png"><img src="https://outside.invalid/x.png">',
        encoding="utf-8",
    )
    with serve(tmp_path) as url:
        context = chromium.new_context()
        tab = Tab(context)
        assert tab.open(url + "clean.html")[1].problems() == []
        problems = tab.open(url + "broken.html")[1].problems()
        assert [p for p in problems if p.startswith("console error: boom")], problems
        assert [p for p in problems if "missing.png" in p and "404" in p], problems
        assert [
            p
            for p in problems
            if p.startswith("request leaves 127.0.0.1: https://outside.invalid/")
        ], problems
        assert tab.open(url + "clean.html")[1].problems() == []
        context.close()


def test_the_headline_numbers_are_visible_and_match_the_raw_data(chromium, site_url, expected):
    context = chromium.new_context(viewport=DESKTOP)
    page, log = Tab(context).open(site_url + "index.html")
    headline = page.locator(".sla-headline .sla-figure")
    assert headline.is_visible()
    assert headline.inner_text() == f"${expected['new_revenue']:,.0f}"
    # One visible card per KPI (the team tiles above them are checked in
    # test_review_layout), each with its figure; MQLs checked against the raw data.
    cards = page.locator(".grid.cards:not(.sla-teams) li")
    assert cards.count() == sum(1 for key in expected if ":" not in key)
    for index in range(cards.count()):
        figure = cards.nth(index).locator(".sla-figure")
        assert figure.is_visible(), cards.nth(index).inner_text()
    by_title = {
        cards.nth(i).locator(".sla-card-title").inner_text().strip(): cards.nth(i)
        .locator(".sla-figure")
        .inner_text()
        for i in range(cards.count())
    }
    assert by_title["MQLs delivered"] == f"{expected['mqls']:,.0f}"
    assert by_title["New leads"] == f"{expected['new_leads']:,.0f}"
    # Team pages: the KPI table is visible whole at 1400 px, not cut at the right.
    for path in ("marketing.html", "handoff.html", "sales.html", "monthly.html"):
        page.goto(site_url + path)
        table = page.locator("article table").first
        assert table.is_visible()
        box = table.bounding_box()
        assert box["x"] + box["width"] <= DESKTOP["width"], path
        wrap = table.evaluate("t => t.scrollWidth - t.clientWidth")
        assert wrap <= 1, f"{path}: the first table scrolls by {wrap} px at 1400 px"
    assert log.problems() == []
    context.close()


def test_navigation_reaches_every_top_level_page(chromium, site_url):
    import yaml

    from tests.conftest import ROOT

    titles = [
        next(iter(entry))
        for entry in yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    ]
    context = chromium.new_context(viewport=DESKTOP)
    page, log = Tab(context).open(site_url + "index.html")
    reached = []
    nav = page.locator("nav.md-nav--primary")
    for title in titles:
        # A page with pages nested under it is a section: its own page is the
        # section's first entry, "<title> overview".
        link = (
            nav.get_by_role("link", name=title, exact=True)
            .or_(nav.get_by_role("link", name=f"{title} overview", exact=True))
            .first
        )
        link.click()
        page.wait_for_load_state("networkidle")
        heading = page.locator("article h1").first.inner_text()
        reached.append((title, page.url.rsplit("/", 1)[-1], heading))
    context.close()
    print("\n".join(f"{t} -> {u}: {h}" for t, u, h in reached))
    assert len({url for _, url, _ in reached}) == len(titles)
    assert log.problems() == []


def _search(page, term: str) -> list[str]:
    """Type term into the theme's search box; return the titles of the results."""
    opener = page.locator("label.md-header__button[for='__search']").first
    if opener.is_visible():  # narrow screens: search sits behind a button
        opener.click()
    # Typed key by key, as a reader does: the theme searches on key events.
    page.locator("input.md-search__input").click()
    page.keyboard.type(term)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(state="visible", timeout=10_000)
    return [results.nth(i).inner_text() for i in range(results.count())]


def test_search_finds_a_page_and_opens_it_over_http(chromium, site_url):
    context = chromium.new_context(viewport=DESKTOP)
    page, log = Tab(context).open(site_url + "index.html")
    titles = _search(page, "protocol")
    assert titles, "no search result"
    page.locator(".md-search-result__item a").first.click()
    page.wait_for_load_state("networkidle")
    assert "protocol" in page.locator("article").inner_text().lower()
    assert log.problems() == []
    context.close()


def test_the_palette_toggle_switches_dark_and_back_and_is_remembered(chromium, site_url):
    context = chromium.new_context(viewport=DESKTOP, color_scheme="light")
    page, log = Tab(context).open(site_url + "index.html")

    def scheme():
        return page.locator("body").get_attribute("data-md-color-scheme")

    def background():
        return page.evaluate("getComputedStyle(document.body).backgroundColor")

    seen = [scheme()]
    light_background = background()
    # Three states: follow the system (light here), light, dark; then back.
    for _ in range(3):
        page.locator("form[data-md-component='palette'] label:visible").first.click()
        seen.append(scheme())
    assert "slate" in seen and seen[0] == "default", seen
    # Set dark and open another page: it stays dark, with a dark background.
    while scheme() != "slate":
        page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.goto(site_url + "monthly.html")
    assert scheme() == "slate"
    assert background() != light_background
    red, green, blue = (int(v) for v in re.findall(r"\d+", background())[:3])
    assert red + green + blue < 200, background()
    assert log.problems() == []
    context.close()


def test_a_phone_has_no_sideways_page_scroll_on_any_page(chromium, site_url, pages):
    context = chromium.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    too_wide = {}
    tab = Tab(context)
    for path in pages:
        page, log = tab.open(site_url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            too_wide[path] = overflow
        assert log.problems() == [], path
    context.close()
    print(f"{len(pages)} pages at 390 x 844")
    assert too_wide == {}


def test_every_page_opened_from_disk_renders_with_no_error_and_search_works(
    chromium, demo_site, pages
):
    context = chromium.new_context(viewport=DESKTOP)
    problems = {}
    # 404.html is what a web server answers for a missing address: it names
    # its assets from the site root, which only a server has.
    checked = [path for path in pages if path != "404.html"]
    tab = Tab(context)
    for path in checked:
        page, log = tab.open((demo_site / path).as_uri())
        if not page.locator("article h1").first.is_visible():
            log.console_errors.append("no visible page title (h1)")
        if log.problems():
            problems[path] = log.problems()
    page, log = tab.open((demo_site / "reps" / "S01.html").as_uri())
    titles = _search(page, "protocol")
    page.locator(".md-search-result__item a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith("file://")
    assert "protocol" in page.locator("article").inner_text().lower()
    assert log.problems() == []
    context.close()
    print(f"{len(checked)} pages opened from file://; search found {len(titles)} results")
    assert titles
    assert problems == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_over_http_loads_cleanly_and_axe_finds_nothing_serious(
    chromium, site_url, pages, scheme
):
    """Each page, served from 127.0.0.1: no console error, no failed request, no
    request leaving the machine, a visible title; and axe-core reports no
    serious or critical violation, in light and in dark mode."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()  # axe-core bundled in the package: nothing is fetched
    context = chromium.new_context(viewport=DESKTOP, color_scheme=scheme)
    serious, minor, passes, problems = {}, {}, 0, {}
    tab = Tab(context)
    for path in pages:
        page, log = tab.open(site_url + path)
        if not page.locator("article h1").first.is_visible():
            log.console_errors.append("no visible page title (h1)")
        # The palette follows the system until the reader picks one.
        assert page.locator("body").get_attribute("data-md-color-scheme") == (
            "slate" if scheme == "dark" else "default"
        ), path
        result = axe.run(page).response
        passes += len(result["passes"])
        for violation in result["violations"]:
            where = [", ".join(node["target"]) for node in violation["nodes"]][:5]
            entry = f"{violation['id']}: {violation['help']} at {where}"
            bucket = serious if violation["impact"] in ("serious", "critical") else minor
            bucket.setdefault(path, []).append(entry)
        if log.problems():
            problems[path] = log.problems()
    context.close()
    print(
        f"axe-core, {scheme}: {len(pages)} pages, {passes} rule passes, "
        f"{sum(map(len, serious.values()))} serious/critical, "
        f"{sum(map(len, minor.values()))} minor/moderate: {minor}"
    )
    assert problems == {}
    assert serious == {}


SPLIT_WORDS = """() => {
    // Every word in a table cell sits on one line: a word broken across lines
    // has more than one client rectangle.
    const split = [];
    const walker = document.createTreeWalker(document.querySelector("article"),
                                             NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.parentElement.closest("td, th")) continue;
        const re = /\\S+/g;
        let match;
        while ((match = re.exec(node.textContent))) {
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            if (lines.size > 1) split.push(match[0]);
        }
    }
    return split;
}"""


def test_no_word_in_a_table_is_split_across_lines_at_1280_px(chromium, site_url):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    split = {}
    pages = (
        "index.html",
        "marketing.html",
        "handoff.html",
        "sales.html",
        "monthly.html",
        "plan-vs-actual.html",
        "history.html",
        "reps/S01.html",
        "agreement.html",
    )
    tab = Tab(context)
    for path in pages:
        page, log = tab.open(site_url + path)
        words = page.evaluate(SPLIT_WORDS)
        if words:
            split[path] = words
        assert log.problems() == [], path
    context.close()
    assert split == {}
