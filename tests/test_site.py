"""The built demo site: complete, stamped, offline, private, and telling the reset story."""

from __future__ import annotations

import csv
import json
import re
from datetime import date

import pytest

from tests.conftest import DEMO_RAW, REFERENCE, ROOT, Needles, html_tables
from tests.independent import compute

PAGES = [
    "index.html",
    "agreement.html",
    "marketing.html",
    "handoff.html",
    "sales.html",
    "plan-vs-actual.html",
    "history.html",
    "definitions.html",
    "data-quality.html",
    "about.html",
    "agreements/2015-h1.html",
    "agreements/2015-h2.html",
    "monthly.html",
]


def test_every_page_is_built(demo_site, demo_build):
    built = {p.relative_to(demo_site).as_posix() for p in demo_site.rglob("*.html")}
    assert set(PAGES) <= built
    assert demo_build[1].pages == len(built)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_says_data_as_of_and_built_at(demo_site, demo_build, page):
    html = (demo_site / page).read_text(encoding="utf-8")
    # Issue #20: dates in the site's locale (English: weekday, day, month, year).
    built = demo_build[0].built_at
    assert "Data as of <strong>Thu 15 Oct 2015</strong>" in html
    assert (
        f"built at <time>{built:%a} {built.day} {built:%b %Y}, "
        f"{built.hour % 12 or 12}:{built:%M} {'AM' if built.hour < 12 else 'PM'} UTC</time>"
        in html.replace("\u202f", " ")
    )


def test_no_resource_is_loaded_from_the_network(demo_site):
    remote = re.compile(
        r"""<(?:script|img|iframe|source)\b[^>]*\bsrc=["']?(?:https?:)?//"""
        r"""|<link\b[^>]*\bhref=["']?(?:https?:)?//"""
        r"""|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//""",
        re.IGNORECASE,
    )
    offenders = []
    for path in demo_site.rglob("*"):
        if path.suffix in {".html", ".css", ".js", ".svg"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            offenders += [f"{path.name}: {m.group(0)}" for m in remote.finditer(text)]
    assert offenders == []
    assert "fonts.googleapis" not in (demo_site / "index.html").read_text()


def test_no_lead_email_or_name_appears_anywhere_in_the_site(demo_site):
    with (DEMO_RAW / "leads.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    private = {row["email"] for row in rows} | {row["full_name"] for row in rows}
    assert len(private) > 1000
    hits, needles = [], Needles(private)
    for path in demo_site.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            hits += [f"{path.name}: {value}" for value in needles.found_in(text)]
    assert hits == []


def test_overview_shows_the_agreement_in_force_and_days_left(demo_site):
    html = (demo_site / "index.html").read_text(encoding="utf-8")
    assert "second half 2015 (reset)" in html
    assert "77 days left" in html  # 2015-10-16 .. 2015-12-31
    assert 'src="charts/revenue-pace-2015-h2.svg#only-light"' in html
    assert 'src="charts/revenue-pace-2015-h2-dark.svg#only-dark"' in html
    assert (demo_site / "charts" / "revenue-pace-2015-h2.svg").read_text().startswith("<svg")
    assert (demo_site / "charts" / "revenue-pace-2015-h2-dark.svg").read_text().startswith("<svg")


def test_history_shows_the_first_half_final_and_beaten_and_the_second_in_progress(demo_site):
    periods = html_tables(demo_site / "history.html")[0]
    by_title = {row[0][0]: [cell[0] for cell in row] for row in periods[1:]}
    first = by_title["Sales & Marketing SLA: first half 2015"]
    second = by_title["Sales & Marketing SLA: second half 2015 (reset)"]
    assert first[2] == "Final" and second[2] == "In progress"
    revenue, goal = (float(re.sub(r"[^\d.]", "", cell.split("(")[0])) for cell in first[3:5])
    assert revenue > goal  # the reference story: the first-half goal was beaten
    assert "**" not in first[0]


def test_definitions_show_each_kpis_definition_owner_and_sql(demo_site):
    html = (demo_site / "definitions.html").read_text(encoding="utf-8")
    for kpi_id in ["new_revenue", "mqls", "first_touch_within_sla_rate", "win_rate"]:
        assert f'id="{kpi_id}"' in html
    assert "fct_handoff_kpis" in html and "percentile_cont" in html
    assert "How the hand-off clock counts" in html


def test_data_quality_accounts_for_every_raw_row(demo_site):
    table = html_tables(demo_site / "data-quality.html")[0]
    assert [cell[0] for cell in table[0]] == ["Raw table", "Rows read", "Used", "Rejected"]
    for row in table[1:]:
        read, used, rejected = (int(cell[0].replace(",", "")) for cell in row[1:])
        assert read == used + rejected
        with (DEMO_RAW / f"{row[0][0]}.csv").open(encoding="utf-8") as handle:
            assert read == sum(1 for _ in handle) - 1


def test_dbt_build_ran_every_data_and_unit_test_and_all_passed(demo_build):
    import json

    config, _ = demo_build
    from generator.dbt.checks import check_names

    results = json.loads((config.work_dir / "run_results.json").read_text())["results"]
    data_tests = [r for r in results if r["unique_id"].startswith("test.")]
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    # Issue #23: a model's column checks run as one dbt test; every check ran.
    nodes = json.loads((config.work_dir / "manifest.json").read_text())["nodes"]
    checks = [
        check
        for r in data_tests
        for check in check_names(nodes[r["unique_id"]].get("test_metadata"))
    ]
    assert len(checks) >= 240 and len(unit_tests) >= 3
    assert {r["status"] for r in data_tests + unit_tests} == {"pass"}
    models = [r for r in results if r["unique_id"].startswith("model.")]
    assert models and {r["status"] for r in models} == {"success"}


def test_each_check_is_named_alike_in_its_sql_and_listed_on_the_data_quality_page(demo_build):
    """Issue #23: a model's checks run as one dbt test. The names the test's SQL
    gives a failing check are the names the site lists; the page counts checks."""
    from generator.dbt.checks import check_names
    from tests.conftest import page_text

    config, summary = demo_build
    nodes = json.loads((config.work_dir / "manifest.json").read_text())["nodes"]
    results = json.loads((config.work_dir / "run_results.json").read_text())["results"]
    listed = []
    for result in results:
        node = nodes.get(result["unique_id"], {})
        names = check_names(node.get("test_metadata"))
        in_sql = re.findall(r"select '((?:[^']|'')*)' as check_name", node.get("compiled_code", ""))
        assert sorted(names) == sorted(name.replace("''", "'") for name in in_sql), node["name"]
        model = node.get("attached_node", "").split(".")[-1]
        listed += [f"{model}: {name}" for name in names]
    text = page_text(summary.out_dir / "data-quality.html")
    assert "stg_crm__activities: not_null(activity_id) where quarantine_reason is null" in listed
    for name in listed:
        assert name in text, name
    singular_and_unit = sum(
        1
        for r in results
        if r["unique_id"].startswith("unit_test.")
        or (r["unique_id"].startswith("test.") and not nodes[r["unique_id"]].get("test_metadata"))
    )
    total = len(listed) + singular_and_unit
    assert f"{total} pass ({total} data and unit tests;" in text


def test_rep_pages_are_linked_from_the_hand_off_table_not_from_every_page(demo_site):
    """500 reps in the navigation would be copied into every page (issue #8)."""
    rep_pages = sorted(path.stem for path in (demo_site / "reps").glob("*.html"))
    assert len(rep_pages) >= 8
    for page in ("index.html", "agreement.html", "sales.html", "reps/S01.html"):
        html = (demo_site / page).read_text(encoding="utf-8")
        assert not re.search(r'href="(\.\./)?reps/S\d+\.html"', html), page
    handoff = (demo_site / "handoff.html").read_text(encoding="utf-8")
    assert sorted(set(re.findall(r'href="reps/(S\d+)\.html"', handoff))) == rep_pages
    # And the search finds a rep's page by the rep's name.
    index = json.loads((demo_site / "search" / "search_index.json").read_text())
    titles = {doc["location"]: doc["title"] for doc in index["docs"]}
    s01 = re.search(
        r"<h1[^>]*>([^<]+)", (demo_site / "reps/S01.html").read_text(encoding="utf-8")
    ).group(1)
    assert titles.get("reps/S01.html") == s01, s01


def test_overview_recalls_the_period_before_and_history_highlights_what_changed(demo_site):
    from tests.conftest import page_text

    overview = page_text(demo_site / "index.html")
    assert "The period before: Sales & Marketing SLA: first half 2015" in overview
    details: dict = {}
    compute(DEMO_RAW, REFERENCE, date(2015, 10, 15), details)
    final = list(details["2015-h1"]["status"].values())
    assert f"{final.count('met')} KPIs met and {final.count('missed')} missed" in overview
    changes = next(t for t in html_tables(demo_site / "history.html") if t[0][0][0] == "Term")
    html = (demo_site / "history.html").read_text(encoding="utf-8")
    changed = {row[0][0] for row in changes[1:] if f"<strong>{row[0][0]}</strong>" in html}
    assert {"Revenue goal", "First touch within (business hours)", "Touch window (days)"} <= changed
    assert "Touch attempts required" not in changed  # 6 in both periods


def test_credentials_come_from_the_environment_only():
    import yaml

    from tests.conftest import ROOT

    profile = yaml.safe_load((ROOT / "profiles.yml").read_text())["sla_report"]
    for output in profile["outputs"].values():
        for key in ("host", "user", "password", "port", "dbname", "path"):
            if key in output:
                assert "env_var(" in str(output[key]), f"{key} must come from env_var()"


def test_the_warehouse_password_is_written_nowhere(demo_build):
    from tests.conftest import SECRET

    config, summary = demo_build
    hits = []
    for folder in (summary.out_dir, config.work_dir):
        for path in folder.rglob("*"):
            if path.is_file() and SECRET.encode() in path.read_bytes():
                hits.append(str(path))
    assert hits == []


def test_the_site_uses_only_what_zensical_also_builds():
    """The exit path from Material for MkDocs (issue #12): Zensical reads mkdocs.yml and
    has its own search and offline; it skips other plugins and runs no hooks, silently.
    A Zensical build itself is not run here: README, "Zensical", says what blocks it."""
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    plugins = [next(iter(p)) if isinstance(p, dict) else p for p in config["plugins"]]
    assert set(plugins) <= {"search", "offline"}, plugins
    assert "hooks" not in config
