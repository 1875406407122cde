"""A library of broken inputs: each gets a clear error or a visible quarantine, never silence."""

from __future__ import annotations

import csv
import io
import shutil
from html.parser import HTMLParser

import duckdb
import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import DEMO_RAW, Needles, html_tables, page_text, scratch_database

HOSTILE = {
    "script": '<script>alert("pwned")</script>',
    "title": "</title><script>alert(2)</script>",
    "markdown": "**bold** _em_ `code` # heading",
    "jinja": "{{ config }} {% raw %}",
    "link": "[click me](javascript:alert(1))",
    "attr": "{: onclick=alert(1) }",
}
WORLD = {"thai": "บริษัท สยาม จำกัด", "emoji": "Rocket 🚀 Labs", "rtl": "شركة الأفق"}
PHONES = ["+1 312 555 0142", "(773) 555-0199"]


def read(path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def write(path, columns, rows, *, bom=False, crlf=False) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=columns, lineterminator="\r\n" if crlf else "\n", extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(("\ufeff" if bom else "") + buffer.getvalue(), encoding="utf-8", newline="")


def add(path, rows, **style) -> None:
    columns, existing = read(path)
    write(path, columns, existing + [{c: r.get(c, "") for c in columns} for r in rows], **style)


def cli_build(data, out, *extra):
    return CliRunner().invoke(
        cli, ["build", "--data", str(data), "--as-of", "2015-10-15", "--out", str(out), *extra]
    )


# -- structural problems: one clear message, nothing built -------------------


def _copy(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in DEMO_RAW.glob("*.csv"):
        shutil.copy2(path, raw / path.name)
    return raw


def _blank_column(path, column, value):
    columns, rows = read(path)
    write(path, columns, [{**row, column: value} for row in rows])


@pytest.mark.parametrize(
    ("case", "change", "message"),
    [
        (
            "missing file",
            lambda raw: (raw / "reps.csv").unlink(),
            "missing raw table 'reps' (expected reps.csv or reps.parquet)",
        ),
        (
            "missing column",
            lambda raw: write(
                raw / "revenue.csv",
                ["revenue_id", "opportunity_id", "amount", "revenue_type"],
                read(raw / "revenue.csv")[1],
            ),
            "revenue.csv: missing required column 'booked_on'",
        ),
        (
            "empty file",
            lambda raw: (raw / "web_sessions.csv").write_text(""),
            "web_sessions.csv: the file is empty",
        ),
        (
            "timestamps in the wrong format everywhere",
            lambda raw: _blank_column(raw / "lead_activities.csv", "occurred_at", "03/10/2015 9am"),
            "lead_activities.csv: column 'occurred_at': no value is a timestamp "
            "(e.g. line 2: '03/10/2015 9am')",
        ),
        (
            "amounts that are not numbers everywhere",
            lambda raw: _blank_column(raw / "opportunities.csv", "amount", "twelve thousand"),
            "opportunities.csv: column 'amount': no value is a number",
        ),
    ],
)
def test_structural_problems_stop_the_build_with_one_clear_message(tmp_path, case, change, message):
    raw = _copy(tmp_path)
    change(raw)
    out = tmp_path / "site"
    result = cli_build(raw, out)
    assert result.exit_code == 3, f"{case}: {result.output}"
    assert message in result.output, f"{case}: {result.output}"
    assert not out.exists()


# -- row-level problems: quarantined with a reason, the rest builds ----------

# Rows whose identity is broken (missing or duplicate id), that name a lead or
# deal we do not have, or that are dated after the as-of day.
QUARANTINE = {
    ("leads", "duplicate lead_id"): 1,
    ("leads", "created after the as-of date"): 1,
    ("leads", "missing lead_id"): 1,
    ("lead_activities", "unknown lead_id"): 1,
    ("lead_activities", "duplicate activity_id"): 1,
    ("lead_activities", "after the as-of date"): 1,
    ("opportunities", "unknown lead_id"): 1,
    ("revenue", "booked after the as-of date"): 1,
    ("revenue", "unknown opportunity_id"): 1,
    ("web_sessions", "duplicate session_date and channel"): 1,
}

# Issue #11: a bad value costs the value, not the row (table, column, reason).
FLAGGED = {
    ("leads", "created_at", "unparseable"): 1,
    ("leads", "mql_at", "unparseable"): 1,
    ("leads", "mql_at", "before created_at"): 1,
    ("leads", "source", "missing (counted as other)"): 2,
    ("lead_activities", "occurred_at", "unparseable"): 1,
    ("opportunities", "amount", "negative"): 1,
    ("opportunities", "amount", "implausibly large (over the max_plausible_amount var)"): 1,
    ("opportunities", "amount", "unparseable"): 1,
    ("revenue", "amount", "negative"): 1,
    ("revenue", "amount", "implausibly large (over the max_plausible_amount var)"): 1,
    ("web_sessions", "sessions", "negative"): 1,
}
UNKNOWN_CATEGORIES = {
    ("lead_activities", "activity_type", "unknown value 'fax'"): 1,
    ("reps", "team", "unknown value 'finance'"): 1,
    ("web_sessions", "channel", "unknown value 'made_up_channel' (counted as other)"): 1,
}


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    raw = _copy(root)
    # leads: BOM + CRLF, extra columns (one of them private), and the bad rows.
    columns, leads = read(raw / "leads.csv")
    columns += ["phone", "lead_score"]
    for number, lead in enumerate(leads):
        lead["phone"] = PHONES[number % 2]
        lead["lead_score"] = "42"
    texts = {**HOSTILE, **WORLD}
    untouched = [
        {
            "lead_id": f"LH-{key}",
            "created_at": "2015-09-30T10:00:00-05:00",
            "mql_at": "2015-10-01 15:00:00",
            "email": f"{key}@victim.example",
            "full_name": f"Private Person {key.title()}",
            "company": value,
            "source": "referral",
            "owner_id": "S07",
            "phone": "+1 555 0100 999",
        }
        for key, value in texts.items()
    ]
    # Ids are shown too (rep pages list overdue MQLs by lead id).
    untouched.append(
        {**untouched[0], "lead_id": "<img src=x onerror=alert(3)>", "company": "Id Test Co"}
    )
    rejected = [
        {
            "lead_id": "LH-rejected",
            "created_at": "2015-09-01T10:00:00Z",
            "mql_at": "2015-09-01T12:00:00Z",
            "source": "email",
            "owner_id": "S02",
            "disqualified_at": "2015-09-02T12:00:00Z",
            "disqualified_reason": HOSTILE["script"] + " " + HOSTILE["link"],
        }
    ]
    bad = [
        {"lead_id": "LB1", "created_at": "yesterday", "source": "email"},
        {"lead_id": "LB2", "created_at": "2015-09-01T10:00:00Z", "mql_at": "2015-13-45"},
        {"lead_id": leads[10]["lead_id"], "created_at": "2015-09-01T10:00:00Z"},
        {"lead_id": "LB3", "created_at": "2015-09-05T10:00:00Z", "mql_at": "2015-09-01T10:00Z"},
        {"lead_id": "LB4", "created_at": "2016-03-01T10:00:00Z"},
        {"lead_id": "", "created_at": "2015-09-05T10:00:00Z"},
    ]
    write(raw / "leads.csv", columns, leads + untouched + rejected + bad, bom=True, crlf=True)
    activities = read(raw / "lead_activities.csv")[1]
    add(
        raw / "lead_activities.csv",
        [
            {
                "activity_id": "AB1",
                "lead_id": "NOBODY",
                "occurred_at": "2015-09-01T10:00:00Z",
                "activity_type": "call",
                "is_automated": "false",
            },
            {**activities[5]},
            {
                "activity_id": "AB2",
                "lead_id": leads[0]["lead_id"],
                "occurred_at": "soon",
                "activity_type": "call",
                "is_automated": "false",
            },
            {
                "activity_id": "AB3",
                "lead_id": leads[0]["lead_id"],
                "occurred_at": "2016-01-01T10:00:00Z",
                "activity_type": "call",
                "is_automated": "no",
            },
            {
                "activity_id": "AB4",
                "lead_id": leads[0]["lead_id"],
                "occurred_at": "2015-09-01T10:00:00Z",
                "activity_type": "fax",
                "is_automated": "no",
            },
        ],
    )
    add(
        raw / "opportunities.csv",
        [
            {
                "opportunity_id": "OH1",
                "account_name": HOSTILE["markdown"] + " " + WORLD["thai"],
                "created_at": "2015-08-03T15:00:00Z",
                "stage": "closed_won",
                "amount": "250000",
                "proposal_sent_at": "2015-08-10T12:00:00Z",
                "closed_at": "2015-09-01T15:00:00Z",
                "owner_id": "S01",
            },
            {
                "opportunity_id": "OH2",
                "account_name": "Lost Co",
                "created_at": "2015-08-03T15:00Z",
                "stage": "closed_lost",
                "amount": "5000",
                "closed_at": "2015-09-01T15:00:00Z",
                "owner_id": "S01",
                "lost_reason": HOSTILE["jinja"] + " " + HOSTILE["attr"],
            },
            {
                "opportunity_id": "OB1",
                "lead_id": "NOBODY",
                "created_at": "2015-08-03T15:00:00Z",
                "stage": "discovery",
                "amount": "100",
            },
            {
                "opportunity_id": "OB2",
                "created_at": "2015-08-03T15:00:00Z",
                "stage": "discovery",
                "amount": "-100",
            },
            {
                "opportunity_id": "OB3",
                "created_at": "2015-08-03T15:00:00Z",
                "stage": "discovery",
                "amount": "1e12",
            },
            {
                "opportunity_id": "OB4",
                "created_at": "2015-08-03T15:00:00Z",
                "stage": "discovery",
                "amount": "12k",
            },
        ],
    )
    add(
        raw / "revenue.csv",
        [
            {
                "revenue_id": "RH1",
                "opportunity_id": "OH1",
                "booked_on": "2015-09-01",
                "amount": "250000",
                "revenue_type": "new_business",
            },
            {
                "revenue_id": "RB1",
                "opportunity_id": "OH1",
                "booked_on": "2015-09-02",
                "amount": "-5",
                "revenue_type": "new_business",
            },
            {
                "revenue_id": "RB2",
                "opportunity_id": "OH1",
                "booked_on": "2015-09-02",
                "amount": "5e11",
                "revenue_type": "new_business",
            },
            {
                "revenue_id": "RB3",
                "opportunity_id": "OH1",
                "booked_on": "2016-01-02",
                "amount": "5",
                "revenue_type": "new_business",
            },
            {
                "revenue_id": "RB4",
                "opportunity_id": "NOPE",
                "booked_on": "2015-09-02",
                "amount": "5",
                "revenue_type": "new_business",
            },
        ],
    )
    columns, reps = read(raw / "reps.csv")
    for rep in reps:
        if rep["rep_id"] == "S07":
            rep["rep_name"] = HOSTILE["script"] + " " + WORLD["rtl"]
        if rep["rep_id"] == "S08":
            rep["rep_name"] = HOSTILE["title"]
    write(
        raw / "reps.csv",
        columns,
        reps
        + [
            {
                "rep_id": "X1",
                "rep_name": "Finance person",
                "team": "finance",
                "started_on": "2014-01-01",
            }
        ],
    )
    sessions = read(raw / "web_sessions.csv")[1]
    add(
        raw / "web_sessions.csv",
        [
            {**sessions[-1]},
            {"session_date": "2015-10-02", "channel": "made_up_channel", "sessions": "-3"},
        ],
    )
    out = root / "site"
    result = cli_build(raw, out)
    assert result.exit_code == 0, result.output
    return raw, out, root / ".site-work", result.output


@pytest.mark.parametrize(("table", "reason"), sorted(QUARANTINE))
def test_each_bad_row_is_quarantined_with_its_reason(hostile_build, table, reason):
    _, out, _, _ = hostile_build
    rows = html_tables(out / "data-quality.html")[1][1:]
    counts = {(row[0][0], row[1][0]): int(row[2][0]) for row in rows}
    assert counts.get((table, reason)) == QUARANTINE[(table, reason)]
    assert len(counts) == len(QUARANTINE), "no other row may be quarantined"


@pytest.mark.parametrize(("table", "column", "reason"), sorted(FLAGGED))
def test_each_bad_value_is_flagged_and_its_row_kept(hostile_build, table, column, reason):
    _, out, _, _ = hostile_build
    rows = html_tables(out / "data-quality.html")[2][1:]
    counts = {(row[0][0], row[1][0], row[2][0]): int(row[3][0]) for row in rows}
    assert counts.get((table, column, reason)) == FLAGGED[(table, column, reason)]
    assert len(counts) == len(FLAGGED), sorted(counts)


def test_unknown_category_values_are_counted_one_by_one(hostile_build):
    _, out, _, _ = hostile_build
    rows = html_tables(out / "data-quality.html")[3][1:]
    counts = {(row[0][0], row[1][0], row[2][0]): int(row[3][0]) for row in rows}
    assert counts == UNKNOWN_CATEGORIES


def test_a_lead_with_a_bad_value_keeps_its_row_in_the_warehouse(hostile_build):
    _, _, work, _ = hostile_build
    with duckdb.connect(str(scratch_database(work)), read_only=True) as connection:
        rows = dict(
            connection.execute(
                "select lead_id, mql_at from main.stg_crm__leads "
                "where lead_id in ('LB2', 'LB3') and quarantine_reason is null"
            ).fetchall()
        )
    assert rows == {"LB2": None, "LB3": None}


def test_the_build_prints_what_it_quarantined_and_flagged(hostile_build):
    output = hostile_build[3]
    assert "Quarantined 1 leads row(s): duplicate lead_id" in output
    assert "Flagged 1 leads.mql_at value(s): unparseable, nulled, row kept" in output
    assert "Flagged 1 reps.team value(s): unknown value 'finance'" in output


def test_the_overview_shows_a_banner_when_figures_lost_rows(hostile_build):
    _, out, _, _ = hostile_build
    text = page_text(out / "index.html")
    assert "Some figures are incomplete: rows were quarantined (" in text
    assert "bad values were left out of their rows" in text
    assert "Incomplete input" not in page_text(out / "sales.html")


def test_every_raw_row_is_used_or_rejected(hostile_build):
    raw, out, _, _ = hostile_build
    table = html_tables(out / "data-quality.html")[0]
    rejected = {}
    for (name, _reason), count in QUARANTINE.items():
        rejected[name] = rejected.get(name, 0) + count
    for row in table[1:]:
        name = row[0][0]
        read_rows, used, rejected_rows = (int(c[0].replace(",", "")) for c in row[1:])
        assert read_rows == len(read(raw / f"{name}.csv")[1])
        assert read_rows == used + rejected_rows
        assert rejected_rows == rejected.get(name, 0)


def test_an_unknown_extra_column_is_ignored_and_a_bom_crlf_file_reads(hostile_build):
    _, _, work, _ = hostile_build
    with duckdb.connect(str(scratch_database(work)), read_only=True) as connection:
        lead = connection.execute(
            "select created_at, mql_at from main.stg_crm__leads where lead_id = 'LH-thai'"
        ).fetchone()
    # -05:00 is honoured; no offset means UTC.
    assert str(lead[0]) == "2015-09-30 15:00:00" and str(lead[1]) == "2015-10-01 15:00:00"


class _Elements(HTMLParser):
    """Every element and attribute of a page, as the browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def _elements(path):
    parser = _Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.elements


@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_hostile_text_shows_literally_wherever_it_appears(hostile_build, key):
    _, out, _, _ = hostile_build
    pages = list(out.rglob("*.html"))
    shown = [page for page in pages if HOSTILE[key] in page_text(page)]
    assert shown, f"{key}: the value should appear, as text, on some page"


def test_no_data_text_became_markup_anywhere(hostile_build):
    _, out, _, _ = hostile_build
    for page in out.rglob("*.html"):
        raw = page.read_text(encoding="utf-8")
        assert "<script>alert(" not in raw and "<strong>bold</strong>" not in raw
        for tag, attrs in _elements(page):
            assert not any(name.startswith("on") for name in attrs), (page.name, tag, attrs)
            assert not (attrs.get("href") or "").lower().startswith("javascript:"), page.name


def test_hostile_text_appears_in_every_text_column_that_reaches_the_site(hostile_build):
    _, out, _, _ = hostile_build
    rep_page = page_text(out / "reps" / "S07.html")
    assert HOSTILE["script"] + " " + WORLD["rtl"] in rep_page  # rep name
    for key in HOSTILE:
        assert HOSTILE[key] in rep_page  # company names on the overdue list
    assert HOSTILE["markdown"] in page_text(out / "sales.html")  # account name
    assert HOSTILE["jinja"] + " " + HOSTILE["attr"] in page_text(out / "sales.html")
    assert HOSTILE["link"] in page_text(out / "marketing.html")  # rejection reason
    assert "<img src=x onerror=alert(3)>" in rep_page  # a lead id, as text


@pytest.mark.parametrize("key", sorted(WORLD))
def test_thai_emoji_and_right_to_left_names_show_as_written(hostile_build, key):
    _, out, _, _ = hostile_build
    assert WORLD[key] in page_text(out / "reps" / "S07.html")


def test_no_private_value_from_the_input_is_published(hostile_build):
    raw, out, _, _ = hostile_build
    rows = read(raw / "leads.csv")[1]
    private = (
        {r["email"] for r in rows} | {r["full_name"] for r in rows} | {r["phone"] for r in rows}
    ) - {""}
    assert len(private) > 1000
    hits, needles = [], Needles(private)
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            hits += [f"{path.name}: {v}" for v in needles.found_in(text)]
    assert hits == []
    assert (out / "summary.json").is_file()
