"""Every KPI figure and status on the built pages and in summary.json is a column of an
rpt_ model of the same build (issue #19: the report lives in the models)."""

from __future__ import annotations

from tests.site_figures import check_against_models


def test_every_figure_and_status_on_the_demo_site_is_in_the_rpt_tables(demo_build, capsys):
    config, summary = demo_build
    checked = check_against_models(config.database_path, summary.out_dir, "en", "no data")
    # 21 KPIs: every card, team table, agreement table, both periods on History, the
    # months of the period in force, and summary.json.
    assert checked["index.html"] >= 21 and checked["summary.json"] == 21
    assert checked["history.html"] == 42
    assert sum(checked[p] for p in ("marketing.html", "handoff.html", "sales.html")) == 21
    assert checked["monthly.html"] >= 21 * 4
    with capsys.disabled():
        print(
            f"\nsite vs rpt_ tables: {sum(checked.values())} figures and statuses found: "
            + ", ".join(f"{page} {count}" for page, count in sorted(checked.items()))
        )
