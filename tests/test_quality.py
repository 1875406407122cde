"""Loud, not silent (issue #11): what the input lost is printed, shown and limited."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.exceptions import ConfigError, DataTestError
from generator.report.quality import QualityReport, check_quality
from generator.site.mkdocs import SITE_MARKER, check_out_dir
from tests.conftest import DEMO_RAW, REFERENCE, html_tables, page_text
from tests.independent import compute


def _report(rejected=(), flagged=(), latest=datetime(2015, 10, 15, 18, tzinfo=UTC), rows=1000):
    return QualityReport(
        as_of=date(2015, 10, 15),
        tables=[{"raw_table": "leads", "rows_read": rows, "rows_used": rows, "rows_rejected": 0}],
        rejected=[
            {
                "raw_table": "leads",
                "quarantine_reason": reason,
                "rows_rejected": count,
                "example_row_key": "L1",
            }
            for reason, count in rejected
        ],
        flagged=[
            {
                "raw_table": "leads",
                "column_name": "mql_at",
                "flag_reason": "unparseable",
                "rows_flagged": count,
                "example_row_key": "L2",
            }
            for count in flagged
        ],
        freshness=[{"raw_table": "leads", "latest_event_at": latest}],
    )


def test_more_than_the_share_quarantined_fails_with_the_counts():
    with pytest.raises(DataTestError) as error:
        check_quality(
            _report(rejected=[("duplicate lead_id", 8), ("missing lead_id", 3)]),
            {"max_quarantined_share": 0.01},
        )
    assert error.value.exit_code == 4
    assert (
        "leads: 11 of 1,000 rows quarantined (1.1%): 8 duplicate lead_id, 3 missing lead_id"
    ) in str(error.value)


def test_the_share_limit_is_the_var_and_exactly_the_limit_passes():
    check_quality(_report(rejected=[("duplicate lead_id", 10)]), {"max_quarantined_share": 0.01})
    check_quality(_report(rejected=[("duplicate lead_id", 50)]), {"max_quarantined_share": 0.05})
    with pytest.raises(DataTestError):
        check_quality(_report(rejected=[("duplicate lead_id", 50)]), {})  # default 1%


def test_rows_after_the_as_of_day_are_left_out_by_design_not_lost():
    report = _report(rejected=[("created after the as-of date", 500)])
    check_quality(report, {})
    assert report.banner() == ""


def test_data_older_than_the_limit_fails_and_older_than_a_day_warns():
    stale = _report(latest=datetime(2015, 9, 20, tzinfo=UTC))
    with pytest.raises(
        DataTestError,
        match=r"stale data: the latest event \(2015-09-20 00:00 "
        r"UTC\) is 26 days before the end of the as-of day",
    ):
        check_quality(stale, {"max_data_age_days": 7})
    check_quality(stale, {"max_data_age_days": 30})
    assert "is 26 days before the as-of day ends" in stale.banner()
    assert (
        "Warning: the latest event in the data (2015-09-20 00:00 UTC) is 26 days"
        in stale.lines()[-1]
    )
    assert _report().banner() == "" and _report().lines() == []


def test_a_bad_limit_is_a_config_error():
    with pytest.raises(ConfigError, match="vars.max_quarantined_share must be a number"):
        check_quality(_report(), {"max_quarantined_share": "lots"})


def test_the_banner_counts_quarantined_rows_and_flagged_values():
    banner = _report(rejected=[("duplicate lead_id", 2)], flagged=[224]).banner()
    assert banner.startswith(
        "Some figures are incomplete: rows were quarantined (2 leads); "
        "224 bad values were left out of their rows."
    )


# -- --out is safe ----------------------------------------------------------------


def test_out_replaces_only_an_empty_folder_or_a_previous_site(tmp_path):
    check_out_dir(tmp_path / "new")
    (tmp_path / "empty").mkdir()
    check_out_dir(tmp_path / "empty")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / SITE_MARKER).write_text("x")
    (tmp_path / "site" / "index.html").write_text("x")
    check_out_dir(tmp_path / "site")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "notes.txt").write_text("my notes")
    with pytest.raises(ConfigError, match="holds files that are not a site built by sla-report"):
        check_out_dir(tmp_path / "notes")


def test_a_folder_of_notes_given_as_out_is_left_alone_with_exit_3(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.txt").write_text("my notes")
    result = CliRunner().invoke(cli, ["build", "--out", str(notes)])
    assert result.exit_code == 3, result.output
    assert "Choose an empty or new folder" in result.output
    assert [p.name for p in notes.iterdir()] == ["notes.txt"]


def test_a_published_site_carries_the_marker(demo_site):
    assert (demo_site / SITE_MARKER).is_file()


# -- the reported cases, end to end ------------------------------------------------


def _table(path, *header):
    """Return the rows of the table of a page whose header starts with these cells."""
    for table in html_tables(path):
        if tuple(cell[0] for cell in table[0][: len(header)]) == header:
            return table[1:]
    raise AssertionError(f"no table {header} on {path.name}")


def _copy_raw(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(DEMO_RAW, raw, ignore=shutil.ignore_patterns("*.yml"))
    return raw


def _rewrite(path, change) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames, list(reader)
    changed = change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return changed


def _us_dates(rows) -> int:
    """Give every tenth MQL a US-style mql_at (10/02/2015 10:00)."""
    changed = 0
    for number, row in enumerate(rows):
        if row["mql_at"] and number % 10 == 0:
            moment = datetime.fromisoformat(row["mql_at"].replace("Z", "+00:00"))
            row["mql_at"] = f"{moment:%m/%d/%Y %H:%M}"
            changed += 1
    return changed


@pytest.fixture(scope="module")
def us_dates_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("us")
    raw = _copy_raw(root)
    changed = _rewrite(raw / "leads.csv", _us_dates)
    out = root / "site"
    result = CliRunner().invoke(
        cli, ["build", "--data", str(raw), "--as-of", "2015-10-15", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out, result.output, changed


def test_us_style_dates_cost_the_value_not_the_lead_or_its_revenue(us_dates_build):
    """Once: 224 leads, 68 opportunities and 17 revenue rows gone, revenue $797,910 ->
    $765,700, exit 0 and nothing said. Now revenue is the independent figure."""
    out, _, changed = us_dates_build
    assert changed > 100
    demo = compute(DEMO_RAW, REFERENCE, date(2015, 10, 15))
    table = next(t for t in html_tables(out / "history.html") if t[0][0][0] == "KPI")
    row = next(r for r in table if r[0][1] and r[0][1].endswith("#new_revenue"))
    shown = float(row[2][0].split("/")[0].replace("$", "").replace(",", ""))
    assert shown == pytest.approx(demo["2015-h2"]["new_revenue"], abs=0.5)
    page = out / "data-quality.html"
    leads = next(r for r in _table(page, "Raw table", "Rows read") if r[0][0] == "leads")
    assert leads[3][0] == "0"  # no lead quarantined
    flagged = {
        (r[0][0], r[1][0], r[2][0]): int(r[3][0].replace(",", ""))
        for r in _table(page, "Raw table", "Column", "Reason")
    }
    assert flagged == {("leads", "mql_at", "unparseable"): changed}


def test_us_style_dates_are_printed_and_bannered(us_dates_build):
    out, output, changed = us_dates_build
    assert f"Flagged {changed:,} leads.mql_at value(s): unparseable, nulled, row kept" in output
    assert f"{changed:,} bad values were left out of their rows" in page_text(out / "index.html")


def test_hubspot_style_channels_are_counted_not_silently_other(tmp_path):
    raw = _copy_raw(tmp_path)
    values = ["EMAIL_MARKETING", "REFERRALS", "OFFLINE"]

    def hubspot(rows):
        for number, row in enumerate(rows[:300]):
            row["source"] = values[number % 3]
        return 300

    _rewrite(raw / "leads.csv", hubspot)
    out = tmp_path / "site"
    result = CliRunner().invoke(
        cli, ["build", "--data", str(raw), "--as-of", "2015-10-15", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    for value in values:
        assert (
            f"Flagged 100 leads.source value(s): unknown value '{value}' (counted as other)"
        ) in result.output
    unknown = {
        (r[1][0], r[2][0]): r[3][0]
        for r in _table(out / "data-quality.html", "Raw table", "Column", "Value")
    }
    assert unknown == {("source", f"unknown value '{v}' (counted as other)"): "100" for v in values}


def test_duplicated_ids_past_the_share_fail_the_build_with_exit_4(tmp_path):
    raw = _copy_raw(tmp_path)

    def duplicate(rows):
        rows.extend(dict(row) for row in rows[:100])
        return 100

    _rewrite(raw / "leads.csv", duplicate)
    out = tmp_path / "site"
    result = CliRunner().invoke(
        cli, ["build", "--data", str(raw), "--as-of", "2015-10-15", "--out", str(out)]
    )
    assert result.exit_code == 4, result.output
    assert "leads: 100 of 5,591 rows quarantined (1.8%): 100 duplicate lead_id" in result.output
    assert not out.exists()


def test_a_stale_export_fails_with_exit_4(tmp_path):
    """Once built and published as final with 17 of 19 KPIs behind, without a word."""
    out = tmp_path / "site"
    result = CliRunner().invoke(
        cli,
        ["build", "--data", str(_copy_raw(tmp_path)), "--as-of", "2015-11-30", "--out", str(out)],
    )
    assert result.exit_code == 4, result.output
    assert "stale data: the latest event (2015-10-16 04:25 UTC) is 45 days" in result.output
    assert not out.exists()


def test_every_page_shows_the_latest_event_next_to_data_as_of(demo_site):
    pages = list(demo_site.rglob("*.html"))
    # Issue #20: the latest event (2015-10-16 04:25 UTC) on the agreement's
    # clock (America/Chicago, daylight time) and in the site's locale.
    stamped = [
        page
        for page in pages
        if "Data as of Thu 15 Oct 2015 · latest event Thu 15 Oct "
        "2015, 11:25 PM CDT · built at" in page_text(page)
    ]
    assert len(pages) > 10 and len(stamped) >= len(pages) - 1  # all but 404.html
    assert "Incomplete input" not in page_text(demo_site / "index.html")


def test_each_kind_of_failing_check_is_named_with_its_model_and_rows(tmp_path):
    """Issue #23: a model's checks run as one dbt test; the build names every
    failing check (each kind, with its `where`), and only the failing ones."""
    from tests.conftest import copy_project

    project = copy_project(tmp_path / "project")
    leads = project / "models" / "staging" / "crm" / "stg_crm__leads.yml"
    passing = "{not_null: lead_id, where: quarantine_reason is null}"
    text = leads.read_text()
    assert passing in text
    leads.write_text(
        text.replace(
            passing,
            passing
            + "\n              - {not_null: disqualified_at}"
            + "\n              - {unique: owner_id, where: quarantine_reason is null}"
            + "\n              - {accepted_values: channel, values: [organic_search]}"
            + "\n              - {relationships: lead_id, to: ref('stg_crm__opportunities'),"
            + " field: lead_id}"
            + "\n              - {expression_is_true: \"channel <> 'paid_search'\"}",
        )
    )
    out = tmp_path / "site"
    result = CliRunner().invoke(cli, ["build", "--project-dir", str(project), "--out", str(out)])
    assert result.exit_code == 4, result.output
    named = result.output.split("stg_crm__leads checks: ", 1)[1].splitlines()[0]
    failing = dict(part.split(" fails on ") for part in named.split("; "))
    assert set(failing) == {
        "not_null(disqualified_at)",
        "unique(owner_id) where quarantine_reason is null",
        "accepted_values(channel)",
        "relationships(lead_id -> stg_crm__opportunities.lead_id)",
        "expression_is_true(channel <> 'paid_search')",
    }, named
    assert all(rows.split()[0].isdigit() and int(rows.split()[0]) > 0 for rows in failing.values())
    assert not out.exists()
