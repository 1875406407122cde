"""Lists that grow with the data (issue #23): a page shows the first `page_list_rows`,
says how many more there are (the models' count), and links the whole list as a CSV
beside it; the build's warning names the first few revenue lines, then how many more."""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import date

import duckdb
import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import DEMO_RAW, REFERENCE, copy_built_project, html_tables, page_text
from tests.independent import compute, read_csv

AS_OF = date(2015, 10, 15)
CURRENT = "2015-h2"
SHOWN = 5
EXTRA_LINES = 7  # revenue lines added on the demo's closed-lost opportunity


@pytest.fixture(scope="module")
def capped(plain_build, tmp_path_factory):
    """Build the demo's data with `page_list_rows: 5` and seven more unwon revenue lines."""
    root = tmp_path_factory.mktemp("capped")
    project = copy_built_project(plain_build, root)
    settings = project / "dbt_project.yml"
    text = settings.read_text(encoding="utf-8")
    assert "  page_list_rows: 100\n" in text
    settings.write_text(text.replace("  page_list_rows: 100\n", f"  page_list_rows: {SHOWN}\n"))
    raw = root / "raw"
    shutil.copytree(DEMO_RAW, raw, ignore=shutil.ignore_patterns("*.yml"))
    with (raw / "revenue.csv").open("a", encoding="utf-8") as handle:
        for number in range(EXTRA_LINES):
            handle.write(f"R9{number:05d},O000395,2015-07-0{number + 1},100.00,new_business\n")
    out = root / "site"
    result = CliRunner().invoke(
        cli,
        [
            "build",
            "--project-dir",
            str(project),
            "--data",
            str(raw),
            "--as-of",
            AS_OF.isoformat(),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    database = root / ".site-work" / "sla_report.duckdb"
    return raw, out, database, result.output


def _rows(database, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def _csv(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_the_hand_off_page_lists_the_top_of_the_queue_and_says_how_many_more(capped):
    raw, out, database, _ = capped
    table = next(
        t
        for t in html_tables(out / "handoff.html")
        if [c[0] for c in t[0][:2]] == ["Lead", "Over or left"]
    )
    [(total, not_shown)] = _rows(
        database,
        f"select count(*), max(rows_not_on_page) from rpt_breach_queue "
        f"where agreement_id = '{CURRENT}'",
    )
    assert total > SHOWN and not_shown == total - SHOWN
    assert len(table) - 1 == SHOWN
    text = page_text(out / "handoff.html", " ")
    assert f"{not_shown} more, less urgent, are not listed here" in text
    links = re.findall(r'href="(breach-queue-[^"]+\.csv)"', (out / "handoff.html").read_text())
    assert links == [f"breach-queue-{CURRENT}.csv"]
    # The whole queue, most urgent first: the page's rows are its first rows.
    queue = _csv(out / links[0])
    assert len(queue) == total
    assert [row["lead_id"] for row in queue[:SHOWN]] == [row[0][0] for row in table[1:]]
    assert [int(row["urgency_order"]) for row in queue] == list(range(1, total + 1))
    # Its overdue MQLs are the ones computed without the models.
    details: dict = {}
    compute(raw, REFERENCE, AS_OF, details)
    overdue = set().union(*details[CURRENT]["overdue"].values())
    assert {row["lead_id"] for row in queue if row["queue_state"] == "overdue"} == overdue


def test_the_downloads_hold_no_private_value(capped):
    raw, out, _, _ = capped
    private = {
        value
        for lead in read_csv(raw / "leads.csv")
        for value in (lead["email"], lead["full_name"])
        if value
    }
    downloads = list(out.rglob("*.csv"))
    assert any(path.parent.name == "reps" for path in downloads)
    for path in downloads:
        text = path.read_text(encoding="utf-8")
        assert not [value for value in private if value in text], path.name
        assert "@" not in text, path.name


def test_a_rep_page_lists_the_oldest_and_says_how_many_more(capped):
    _, out, database, _ = capped
    lists = _rows(
        database,
        f"select rep_id, count(*), max(rows_not_on_page) from rpt_overdue_mqls "
        f"where agreement_id = '{CURRENT}' group by rep_id having count(*) > {SHOWN}",
    )
    assert lists
    for rep_id, total, not_shown in lists:
        page = out / "reps" / f"{rep_id}.html"
        assert not_shown == total - SHOWN
        assert f"{not_shown} more, more recent, are not listed here" in page_text(page, " ")
        table = next(t for t in html_tables(page) if t[0][0][0] == "Lead")
        assert len(table) - 1 == SHOWN
        rows = _csv(page.with_suffix(".csv"))
        assert len(rows) == total
        assert [row["lead_id"] for row in rows[:SHOWN]] == [row[0][0] for row in table[1:]]


def test_the_unwon_revenue_warning_names_five_lines_then_how_many_more(capped):
    _, _, database, output = capped
    [(detail, count)] = _rows(
        database,
        "select detail, row_count from rpt_data_warnings "
        "where warning_type = 'revenue on an opportunity not won'",
    )
    assert count == EXTRA_LINES + 1
    named = re.findall(r"R\d+ \(opportunity O000395, closed lost\)", detail)
    assert named == [
        f"{line} (opportunity O000395, closed lost)"
        for line in sorted(["R000230", *(f"R9{n:05d}" for n in range(EXTRA_LINES))])[:5]
    ]
    assert f"and {count - 5} more are counted in new-business revenue" in detail
    assert detail in " ".join(output.split())
