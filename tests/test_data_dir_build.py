"""`sla-report build --data DIR`: the same models read raw files, bad rows are quarantined."""

from __future__ import annotations

import csv
import shutil
from datetime import date

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import DEMO_RAW, REFERENCE, html_tables
from tests.independent import compute

HOSTILE = '<script>alert("x")</script> **Corp** [link](javascript:alert(1)) {{ x }}'


def append(path, rows: list[dict]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        columns = next(csv.reader(handle))
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})


@pytest.fixture(scope="module")
def data_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    raw = root / "raw"
    shutil.copytree(DEMO_RAW, raw)
    for path in raw.glob("*.yml"):
        path.unlink()
    # A big won deal whose account name is hostile text: it tops "Largest wins".
    append(
        raw / "opportunities.csv",
        [
            {
                "opportunity_id": "OX1",
                "account_name": HOSTILE,
                "created_at": "2015-08-03 15:00:00",  # no offset: UTC
                "stage": "closed_won",
                "amount": "250000",
                "closed_at": "2015-09-01T10:00:00-05:00",
                "proposal_sent_at": "2015-08-10T12:00:00Z",
                "owner_id": "S01",
            }
        ],
    )
    # A won deal with no amount (sales-sourced): a customer, but left out of
    # the average deal size, never counted as a $0 deal (issue #7).
    append(
        raw / "opportunities.csv",
        [
            {
                "opportunity_id": "OX2",
                "account_name": "No Amount Yet Ltd",
                "created_at": "2015-08-04T15:00:00Z",
                "stage": "closed_won",
                "amount": "",
                "closed_at": "2015-09-02T15:00:00Z",
                "owner_id": "S02",
            }
        ],
    )
    append(
        raw / "revenue.csv",
        [
            {
                "revenue_id": "RX1",
                "opportunity_id": "OX1",
                "booked_on": "2015-09-01",
                "amount": "250000",
                "revenue_type": "new_business",
            }
        ],
    )
    # Rows that cannot be used: each must be counted, with its reason.
    append(
        raw / "lead_activities.csv",
        [
            {
                "activity_id": "AX1",
                "lead_id": "NO_SUCH_LEAD",
                "occurred_at": "2015-09-01T10:00:00Z",
                "activity_type": "call",
                "rep_id": "S01",
                "is_automated": "false",
            }
        ],
    )
    append(
        raw / "leads.csv",
        [
            {
                "lead_id": "LX1",
                "created_at": "last tuesday",
                "email": "x@example.org",
                "full_name": "Quarantined Person",
                "company": "Nowhere",
                "source": "direct",
            }
        ],
    )
    append(
        raw / "revenue.csv",
        [
            {
                "revenue_id": "RX2",
                "opportunity_id": "OX1",
                "booked_on": "2015-09-02",
                "amount": "-5",
                "revenue_type": "new_business",
            }
        ],
    )
    out = root / "site"
    result = CliRunner().invoke(
        cli, ["build", "--data", str(raw), "--as-of", "2015-10-15", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return raw, out, result.output


def test_build_reports_where_the_site_is(data_build):
    raw, out, output = data_build
    pages = sum(1 for _ in out.rglob("*.html"))
    assert f"Site: {out}" in output and f"Built {pages} pages" in output


def test_hostile_text_is_shown_as_text(data_build):
    _, out, _ = data_build
    html = (out / "sales.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in html
    assert "<script>alert(" not in html
    assert "<strong>Corp</strong>" not in html and "javascript:alert" not in html.replace(
        "[link](javascript:alert(1))", ""
    )
    assert "{{ x }}" in html


def test_rows_that_cannot_be_used_are_quarantined_with_a_reason(data_build):
    _, out, _ = data_build
    tables = html_tables(out / "data-quality.html")
    counts = {row[0][0]: [int(c[0].replace(",", "")) for c in row[1:]] for row in tables[0][1:]}
    for table, rejected_rows in (("leads", 0), ("lead_activities", 1), ("revenue", 0)):
        read, used, rejected = counts[table]
        assert rejected == rejected_rows and read == used + rejected
    reasons = {(row[0][0], row[1][0]) for row in tables[1][1:]}
    assert reasons == {("lead_activities", "unknown lead_id")}
    # A bad value costs the value, not the row (issue #11).
    flagged = {(row[0][0], row[1][0], row[2][0]) for row in tables[2][1:]}
    assert flagged == {("leads", "created_at", "unparseable"), ("revenue", "amount", "negative")}


def test_file_build_gives_the_independent_numbers_plus_the_added_deal(data_build):
    _, out, _ = data_build
    demo = compute(DEMO_RAW, REFERENCE, date(2015, 10, 15))
    table = next(t for t in html_tables(out / "history.html") if t[0][0][0] == "KPI")
    row = next(r for r in table if r[0][1] and r[0][1].endswith("#new_revenue"))
    shown = float(row[2][0].split("/")[0].replace("$", "").replace(",", ""))
    assert shown == pytest.approx(demo["2015-h2"]["new_revenue"] + 250000, abs=0.5)


def test_a_quarantined_leads_private_data_is_not_published(data_build):
    _, out, _ = data_build
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            assert "Quarantined Person" not in text and "x@example.org" not in text


def test_a_won_deal_without_an_amount_counts_as_a_customer_not_as_a_zero_deal(data_build):
    _, out, _ = data_build
    details: dict = {}
    demo = compute(DEMO_RAW, REFERENCE, date(2015, 10, 15), details)["2015-h2"]
    deals_with_amount = details["2015-h2"]["samples"]["average_deal_size"]
    # OX1 (250,000) and OX2 (no amount) are both won in H2; only OX1 has an amount.
    expected_average = (demo["average_deal_size"] * deals_with_amount + 250000) / (
        deals_with_amount + 1
    )
    table = next(t for t in html_tables(out / "history.html") if t[0][0][0] == "KPI")
    cells = {r[0][1].split("#")[1]: r[2][0] for r in table[1:] if r[0][1]}
    shown_average = float(cells["average_deal_size"].split("/")[0].strip("$ ").replace(",", ""))
    assert shown_average == pytest.approx(expected_average, abs=0.5)
    shown_customers = float(cells["new_customers"].split("/")[0].replace(",", ""))
    assert shown_customers == demo["new_customers"] + 2
