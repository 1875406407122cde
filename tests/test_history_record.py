"""history.json: a closed period keeps the figures it closed with (issue #7)."""

from __future__ import annotations

import copy
import json
import re
import shutil
import threading
from dataclasses import replace
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from generator.commands.build import build_report
from generator.commands.configure import make_config
from generator.exceptions import ConfigError
from generator.report.data import ReportData
from generator.report.history import (
    as_closed,
    definition_hashes,
    merge_history,
    read_history,
    restatements,
)
from generator.report.kpis import KpiDefinition
from tests.conftest import DEMO_RAW, REFERENCE, copy_project, html_tables, page_text
from tests.independent import compute
from tests.test_agreement_text import kpi
from tests.test_independent_check import RESOLUTION, parse_figure
from tests.test_workflows import _make

H1 = {
    "agreement_id": "h1",
    "title": "First half",
    "period_state": "final",
    "period_start_date": date(2015, 1, 1),
    "period_end_date": date(2015, 6, 30),
}
H2 = {
    **H1,
    "agreement_id": "h2",
    "title": "Second half",
    "period_state": "in_progress",
    "period_start_date": date(2015, 7, 1),
    "period_end_date": date(2015, 12, 31),
}
DAY1, DAY2, DAY3 = "2015-07-02T05:17:00Z", "2015-07-03T05:17:00Z", "2015-07-04T05:17:00Z"


def win_rate(value, target=0.25, met=True):
    return replace(
        kpi("win_rate", value, target, "met" if met else "missed", "rate"),
        is_target_met=met,
        sample_size=388.0,
    )


def build(previous, value, definition="sha256:a", built_at=DAY1, agreements=(H1, H2), met=True):
    """Return the record after one build in which H1's win rate is `value` (H2's 0.5)."""
    views = {"h1": [win_rate(value, met=met)], "h2": [win_rate(0.5)]}
    return merge_history(
        copy.deepcopy(previous),
        list(agreements),
        views,
        {"win_rate": definition},
        built_at,
        "2015-10-15",
    )


def entry(history, agreement_id="h1", kpi_id="win_rate"):
    period = next(p for p in history["periods"] if p["agreement_id"] == agreement_id)
    return next(k for k in period["kpis"] if k["id"] == kpi_id)


# -- merging ------------------------------------------------------------------------


def test_the_first_build_records_final_periods_only():
    history = build(None, 0.296)
    assert [p["agreement_id"] for p in history["periods"]] == ["h1"]
    recorded = entry(history)
    assert recorded["as_closed"] == {
        "value": 0.296,
        "target": 0.25,
        "status": "met",
        "sample_size": 388.0,
        "is_lower_bound": False,
        "all_sources": None,
        "provisional_until": None,
        "definition_hash": "sha256:a",
        "recorded_at": DAY1,
        "as_of": "2015-10-15",
    }
    assert recorded["change"] is None
    assert restatements(history, [H1, H2]) == {}


def test_a_period_recorded_before_is_carried_forward_unchanged():
    first = build(None, 0.296)
    second = build(first, 0.296, built_at=DAY2)
    assert entry(second) == entry(first)
    assert second["periods"][0]["recorded_at"] == DAY1
    # Even when this build no longer has the agreement at all.
    third = build(second, 0.5, built_at=DAY3, agreements=(H2,))
    assert entry(third) == entry(first)


def test_a_new_definition_shows_the_recomputed_figure_with_the_date_it_changed():
    first = build(None, 0.296)
    second = build(first, 0.343, definition="sha256:b", built_at=DAY2)
    changed = entry(second)
    assert changed["as_closed"] == entry(first)["as_closed"]
    assert changed["recomputed"]["value"] == 0.343
    assert changed["change"] == {"reason": "definition", "since": DAY2}
    # A later build keeps the date of the first build that saw the new definition.
    third = build(second, 0.343, definition="sha256:b", built_at=DAY3)
    assert entry(third)["change"] == {"reason": "definition", "since": DAY2}
    assert entry(third)["as_closed"]["value"] == 0.296
    shown = restatements(third, [H1, H2])["h1"]
    assert [
        (r["kpi_id"], r["as_closed"]["value"], r["recomputed"]["value"], r["reason"], r["since"])
        for r in shown
    ] == [("win_rate", 0.296, 0.343, "definition", date(2015, 7, 3))]


def test_a_different_figure_under_the_same_definition_is_a_data_change():
    first = build(None, 0.296)
    second = build(first, 0.31, built_at=DAY2)
    assert entry(second)["change"] == {"reason": "data", "since": DAY2}
    assert entry(second)["as_closed"]["value"] == 0.296
    third = build(second, 0.31, built_at=DAY3)
    assert entry(third)["change"] == {"reason": "data", "since": DAY2}


def test_a_new_definition_that_gives_the_same_figure_shows_nothing():
    first = build(None, 0.296)
    second = build(first, 0.296, definition="sha256:b", built_at=DAY2)
    assert entry(second)["change"] is None
    assert entry(second)["definition"] == {"hash": "sha256:b", "since": DAY2}
    assert restatements(second, [H1, H2]) == {}


def test_float_noise_is_not_a_change_but_a_status_is():
    first = build(None, 0.2963917525773196)
    assert entry(build(first, 0.2963917525773196 + 1e-15, built_at=DAY2))["change"] is None
    missed = build(first, 0.2963917525773196, built_at=DAY2, met=False)
    assert entry(missed)["change"] == {"reason": "data", "since": DAY2}


def test_a_period_that_is_not_final_is_not_recorded_until_it_closes():
    during = build(None, 0.296, agreements=(H2,))
    assert during["periods"] == []
    closed = build(during, 0.3, built_at=DAY2, agreements=(H1, {**H2, "period_state": "final"}))
    assert {p["agreement_id"] for p in closed["periods"]} == {"h1", "h2"}
    assert entry(closed, "h2")["as_closed"]["value"] == 0.5


def _data(rows: list[dict], agreements: list[dict]) -> ReportData:
    empty = {name: [] for name in ReportData.__dataclass_fields__}
    return ReportData(
        **{**empty, "scorecard": rows, "agreements": agreements, "report_row_counts": {}}
    )


def test_pages_get_the_figures_as_closed_and_recounted_headlines():
    first = build(None, 0.296)
    second = build(first, 0.2, definition="sha256:b", built_at=DAY2, met=False)
    rows = [
        {
            "agreement_id": "h1",
            "kpi_id": "win_rate",
            "actual": 0.2,
            "target": 0.25,
            "status": "missed",
            "is_target_met": False,
            "sample_size": 400.0,
        },
        {
            "agreement_id": "h2",
            "kpi_id": "win_rate",
            "actual": 0.5,
            "target": 0.25,
            "status": "on_track",
            "is_target_met": True,
        },
    ]
    agreements = [
        {
            **H1,
            "kpis_target_met": 0,
            "kpis_with_target": 1,
            "kpis_missed": 1,
            "kpis_met": 0,
            "revenue_goal": 1000.0,
        },
        {**H2, "kpis_target_met": 1, "kpis_with_target": 1, "kpis_on_track": 1},
    ]
    shown = as_closed(_data(rows, agreements), second)
    assert shown.scorecard[0] == {
        **rows[0],
        "actual": 0.296,
        "status": "met",
        "is_target_met": True,
        "sample_size": 388.0,
    }
    assert shown.scorecard[1] == rows[1]  # in progress: live
    assert shown.agreements[0] == {
        **agreements[0],
        "kpis_target_met": 1,
        "kpis_missed": 0,
        "kpis_met": 1,
    }
    assert shown.agreements[1] == agreements[1]
    assert restatements(second, agreements)["h1"][0]["recomputed"]["status"] == "missed"


# -- reading --------------------------------------------------------------------------


def test_no_record_is_a_first_build_but_an_unreadable_one_stops_it(tmp_path):
    assert read_history(tmp_path) is None
    (tmp_path / "history.json").write_text("{not json")
    with pytest.raises(ConfigError, match="history.json cannot be read"):
        read_history(tmp_path)
    (tmp_path / "history.json").write_text(json.dumps({"schema_version": 99, "periods": []}))
    with pytest.raises(ConfigError, match="schema_version 99"):
        read_history(tmp_path)
    (tmp_path / "history.json").write_text(
        json.dumps({"schema_version": 1, "periods": [{"agreement_id": "h1", "kpis": []}]})
    )
    with pytest.raises(ConfigError, match="period 'h1' has no title"):
        read_history(tmp_path)
    recorded = build(None, 0.296)
    (tmp_path / "history.json").write_text(json.dumps(recorded))
    assert read_history(tmp_path) == recorded
    del recorded["periods"][0]["kpis"][0]["as_closed"]["definition_hash"]
    (tmp_path / "history.json").write_text(json.dumps(recorded))
    with pytest.raises(ConfigError, match="KPI 'win_rate' is missing its hash"):
        read_history(tmp_path)


# -- the definition hash -----------------------------------------------------------


def _manifest() -> dict:
    def model(name, code, parents=(), macros=(), columns=()):
        return f"model.p.{name}", {
            "name": name,
            "resource_type": "model",
            "raw_code": code,
            "depends_on": {
                "nodes": [f"model.p.{p}" for p in parents],
                "macros": [f"macro.p.{m}" for m in macros],
            },
            "columns": {
                c: {"name": c, "description": f"{c} described", "meta": {"kpi": {"title": c}}}
                for c in columns
            },
        }

    nodes = dict(
        [
            model("stg_deals", "select * from {{ source('crm', 'deals') }} -- {{ var('as_of') }}"),
            model(
                "fct_sales_kpis",
                "select won / closed as win_rate",
                ["stg_deals"],
                ["ratio"],
                ["win_rate", "new_customers"],
            ),
            model("fct_marketing_kpis", "select count(*) as mqls", ["stg_deals"], (), ["mqls"]),
            model("fct_kpi_targets", "select target"),
            model(
                "rpt_kpi_scorecard",
                "select status",
                ["fct_sales_kpis", "fct_marketing_kpis", "fct_kpi_targets"],
            ),
        ]
    )
    nodes["seed.p.targets"] = {
        "name": "targets",
        "resource_type": "seed",
        "raw_code": "",
        "checksum": "1",
        "depends_on": {"nodes": []},
    }
    nodes["model.p.fct_kpi_targets"]["depends_on"]["nodes"].append("seed.p.targets")
    macros = {
        "macro.p.ratio": {
            "package_name": "p",
            "macro_sql": "a / b",
            "depends_on": {"macros": ["macro.dbt.safe_cast"]},
        },
        "macro.dbt.safe_cast": {
            "package_name": "dbt",
            "macro_sql": "cast(x)",
            "depends_on": {"macros": []},
        },
    }
    return {"metadata": {"project_name": "p"}, "nodes": nodes, "macros": macros}


def _definitions() -> list[KpiDefinition]:
    spec = kpi().spec
    return [
        replace(spec, kpi_id="win_rate", model="fct_sales_kpis"),
        replace(spec, kpi_id="new_customers", model="fct_sales_kpis"),
        replace(spec, kpi_id="mqls", model="fct_marketing_kpis"),
    ]


def _hashes(edit=lambda manifest: None, project_vars=None) -> dict[str, str]:
    manifest = _manifest()
    edit(manifest)
    return definition_hashes(
        manifest, _definitions(), project_vars or {"as_of": "2015-10-15", "min_sample": 20}
    )


def _set(path: str, value):
    def edit(manifest):
        *keys, last = path.split("/")
        target = manifest
        for key in keys:
            target = target[key]
        target[last] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "changed"),
    [
        (
            _set("nodes/model.p.fct_sales_kpis/raw_code", "select won / (won + lost) as win_rate"),
            {"win_rate", "new_customers"},
        ),
        (
            _set("nodes/model.p.stg_deals/raw_code", "select * from deals where not is_test"),
            {"win_rate", "new_customers", "mqls"},
        ),
        (_set("macros/macro.p.ratio/macro_sql", "a / nullif(b, 0)"), {"win_rate", "new_customers"}),
        (
            _set("nodes/model.p.fct_kpi_targets/raw_code", "select 2 * target"),
            {"win_rate", "new_customers", "mqls"},
        ),
        (
            _set("nodes/model.p.fct_sales_kpis/columns/win_rate/description", "won over all"),
            {"win_rate"},
        ),
        (
            _set("nodes/model.p.fct_marketing_kpis/raw_code", "select count(*) - 1 as mqls"),
            {"mqls"},
        ),
        # Not definitions: data (a seed), and dbt's own macros (they change with dbt).
        (_set("nodes/seed.p.targets/checksum", "2"), set()),
        (_set("macros/macro.dbt.safe_cast/macro_sql", "try_cast(x)"), set()),
    ],
)
def test_the_definition_hash_changes_with_what_defines_the_kpi(edit, changed):
    before, after = _hashes(), _hashes(edit)
    assert len(set(before.values())) == 3
    assert {kpi_id for kpi_id in before if before[kpi_id] != after[kpi_id]} == changed


def test_the_definition_hash_ignores_the_as_of_day_but_not_the_project_vars():
    before = _hashes()
    assert _hashes(project_vars={"as_of": "2015-10-16", "min_sample": 20}) == before
    changed = _hashes(project_vars={"as_of": "2015-10-15", "min_sample": 30})
    assert all(changed[k] != before[k] for k in before)


# -- end to end: a new user edits the win-rate definition ----------------------------

WIN_RATE = re.compile(
    r"(safe_ratio\(\s*'closed_summarised\.new_customers',\s*)"
    r"'closed_summarised\.new_customers \+ closed_summarised\.lost_deals'"
    # Issue #19: the ratio sits in a case (no lost deal recorded: no data).
    r"(\s*\)\s*}}\s*(?:end\s*)?as win_rate)"
)
SECOND_BUILD = datetime(2026, 12, 1, 5, 17, tzinfo=UTC)


def _figure_matches(text: str, expected: float) -> bool:
    # The figure leads the cell; what it stands on may follow ("of 388 closed deals").
    figure = re.match(r"(≥ )?\$?[\d,]+(\.\d+)?\s*(%|hr|days)?", text.strip())
    assert figure, f"no figure in {text!r}"
    value, unit = parse_figure(figure.group(0))
    return abs(value - expected) <= RESOLUTION[unit]


@pytest.fixture(scope="module")
def rebuilt(demo_site, tmp_path_factory):
    """Rebuild the published demo after an analyst made lost deals weigh half in the win rate."""
    root = tmp_path_factory.mktemp("history")
    out = root / "site"
    shutil.copytree(demo_site, out)
    project = copy_project(root / "project")
    model = project / "models" / "marts" / "fct_sales_kpis.sql"
    sql, edits = WIN_RATE.subn(
        r"\1'closed_summarised.new_customers + 0.5 * closed_summarised.lost_deals'\2",
        model.read_text(),
    )
    assert edits == 1, "the win-rate expression in fct_sales_kpis.sql has moved"
    model.write_text(sql)
    config = replace(make_config(out=str(out), project_dir=project), built_at=SECOND_BUILD)
    build_report(config)
    return out


def test_the_first_build_records_the_closed_period(demo_site):
    history = json.loads((demo_site / "history.json").read_text())
    expected = compute(DEMO_RAW, REFERENCE, date(2015, 10, 15))
    assert [p["agreement_id"] for p in history["periods"]] == ["2015-h1"]  # H2 is in progress
    recorded = {k["id"]: k for k in history["periods"][0]["kpis"]}
    assert recorded["win_rate"]["as_closed"]["value"] == pytest.approx(
        expected["2015-h1"]["win_rate"]
    )
    assert all(k["change"] is None for k in recorded.values())
    assert "Figures recomputed" not in page_text(demo_site / "history.html")
    assert "Recomputed since" not in page_text(demo_site / "agreements" / "2015-h1.html")


@pytest.fixture(scope="module")
def win_rates(demo_site, rebuilt) -> dict:
    """Return H1's win rate as recorded by the first build, and as the edit gives it.

    The recomputed one is worked out independently of the build: won / (won +
    lost / 2), with won and lost deals counted from the raw data.
    """
    first = json.loads((demo_site / "history.json").read_text())
    recorded = next(k for k in first["periods"][0]["kpis"] if k["id"] == "win_rate")
    independent = compute(DEMO_RAW, REFERENCE, date(2015, 10, 15))["2015-h1"]
    won = independent["new_customers"]
    lost = round(won / independent["win_rate"] - won)
    return {"recorded": recorded["as_closed"]["value"], "recomputed": won / (won + 0.5 * lost)}


def test_an_edited_definition_keeps_the_record_and_dates_the_change(demo_site, rebuilt, win_rates):
    first = json.loads((demo_site / "history.json").read_text())
    second = json.loads((rebuilt / "history.json").read_text())
    before = {k["id"]: k for k in first["periods"][0]["kpis"]}
    after = {k["id"]: k for k in second["periods"][0]["kpis"]}
    assert {k: v["as_closed"] for k, v in after.items()} == {
        k: v["as_closed"] for k, v in before.items()
    }
    assert after["win_rate"]["recomputed"]["value"] == pytest.approx(win_rates["recomputed"])
    assert after["win_rate"]["change"] == {"reason": "definition", "since": "2026-12-01T05:17:00Z"}
    # The other sales KPIs share the model, so their hash moved too, not their figures.
    assert (
        after["new_customers"]["definition"]["hash"]
        != before["new_customers"]["definition"]["hash"]
    )
    assert {k for k, v in after.items() if v["change"]} == {"win_rate"}


def _header(table: list) -> list[str]:
    return [cell[0] for cell in table[0]]


def _check_moved_row(page: str, cells: list, win_rates: dict) -> None:
    as_closed_cell, recomputed_cell, why = (cell[0] for cell in cells)
    assert _figure_matches(as_closed_cell.split("/")[0], win_rates["recorded"]), cells
    assert _figure_matches(recomputed_cell.split("/")[0], win_rates["recomputed"]), cells
    assert why == "Definition changed on Tue 1 Dec 2026"
    print(f"{page}: as closed {as_closed_cell!r}, recomputed today {recomputed_cell!r}, {why!r}")


def test_history_shows_the_win_rate_as_closed_and_as_recomputed(rebuilt, win_rates):
    tables = html_tables(rebuilt / "history.html")
    side_by_side = next(t for t in tables if t[0][0][0] == "KPI")
    column = [cell[0] for cell in side_by_side[0]].index("2015-h1")
    row = next(r for r in side_by_side if (r[0][1] or "").endswith("#win_rate"))
    assert _figure_matches(row[column][0].split("/")[0], win_rates["recorded"])
    moved = next(t for t in tables if _header(t)[2:4] == ["As closed", "Recomputed today"])
    assert len(moved) == 2 and "agreements/2015-h1" in moved[1][0][1]
    _check_moved_row("history", moved[1][2:], win_rates)


def test_the_period_page_shows_the_win_rate_as_closed_and_as_recomputed(rebuilt, win_rates):
    tables = html_tables(rebuilt / "agreements" / "2015-h1.html")
    at_a_glance = next(t for t in tables if _header(t)[1] == "Result")  # beside the KPI (#20)
    row = next(r for r in at_a_glance if (r[0][1] or "").endswith("#win_rate"))
    assert _figure_matches(row[2][0], win_rates["recorded"]), row
    moved = next(t for t in tables if _header(t)[1:3] == ["As closed", "Recomputed today"])
    assert len(moved) == 2
    _check_moved_row("agreements/2015-h1", moved[1][1:], win_rates)


# -- the nightly fetch ------------------------------------------------------------


class _Published(BaseHTTPRequestHandler):
    files: dict[str, tuple[int, bytes]] = {}

    def do_GET(self):  # noqa: N802 (the http.server API)
        status, body = self.files.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def pages_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Published)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("history", "fails"),
    [
        ((200, b'{"schema_version": 1, "periods": []}\n'), False),
        ((404, b"not found"), False),  # published before the record existed: start it
        ((503, b"unavailable"), True),  # never start over because the network failed
    ],
)
def test_previous_summary_fetches_the_history_too(pages_url, tmp_path, history, fails):
    summary = b'{"as_of": "2015-10-14"}\n'
    _Published.files = {"/summary.json": (200, summary), "/history.json": history}
    out = tmp_path / "site"
    result = _make("previous-summary", f"OUT={out}", f"PAGES_URL={pages_url}", tmp_path=tmp_path)
    print(result.stdout + result.stderr)
    assert (out / "summary.json").read_bytes() == summary
    if fails:
        assert result.returncode != 0 and "HTTP 503" in result.stderr
        assert not (out / "history.json").exists()
    else:
        assert result.returncode == 0, result.stderr
        assert (out / "history.json").exists() == (history[0] == 200)
        if history[0] == 200:
            assert (out / "history.json").read_bytes() == history[1]


def test_make_previous_summary_without_a_url_keeps_a_local_record(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "history.json").write_text("kept")
    result = _make("previous-summary", f"OUT={out}", "PAGES_URL=", tmp_path=tmp_path)
    assert result.returncode == 0 and (out / "history.json").read_text() == "kept"


def test_an_unreadable_record_stops_the_build_before_dbt_and_keeps_the_site(tmp_path):
    from click.testing import CliRunner

    from generator.cli import cli
    from generator.site.mkdocs import SITE_MARKER

    out = tmp_path / "site"
    out.mkdir()
    (out / SITE_MARKER).write_text("a site published by sla-report")
    (out / "index.html").write_text("published")
    (out / "history.json").write_text('{"periods": [')
    result = CliRunner().invoke(cli, ["build", "--out", str(out)])
    assert result.exit_code == 3, result.output
    assert "history.json cannot be read" in result.output
    assert (out / "history.json").read_text() == '{"periods": ['
    assert (out / "index.html").read_text() == "published"
