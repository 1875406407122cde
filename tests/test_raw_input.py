"""Text files as they come (issue #11): read, or refused with the file, the line and what to do."""

from __future__ import annotations

import csv
import io
import shutil

import duckdb
import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.exceptions import ConfigError
from generator.inputs.precheck import resolve_raw_files
from generator.inputs.raw_files import SOURCE_LINE, read_raw_file
from tests.conftest import DEMO_RAW, scratch_database

COLUMNS = ["lead_id", "created_at", "company"]


def clean_rows(raw) -> list[dict]:
    """Return the clean copy's rows as DuckDB reads them (the way dbt does)."""
    quoted = str(raw.path).replace("'", "''")
    with duckdb.connect() as connection:
        cursor = connection.execute(
            f"select * from read_csv('{quoted}', header = true, all_varchar = true, "
            "delim = ',', quote = '\"', escape = '\"', max_line_size = 1000000000)"
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def write_bytes(tmp_path, data: bytes, name="leads.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def csv_text(rows, *, delimiter=",", newline="\n", header=COLUMNS) -> str:
    buffer = io.StringIO()
    # csv quotes a field holding the line terminator's characters only: with
    # CR line ends a '\n' would go unquoted, which no exporter writes.
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        lineterminator=newline,
        quoting=csv.QUOTE_ALL if newline == "\r" else csv.QUOTE_MINIMAL,
    )
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


ROWS = [
    ["L1", "2015-01-01T10:00:00Z", "Line\nBreak Inc"],
    ["L2", "2015-01-02T10:00:00Z", 'He said "hi", twice; ok'],
    ["L3", "2015-01-03T10:00:00Z", "Café Zoë"],
]


@pytest.mark.parametrize(
    ("case", "data"),
    [
        ("UTF-8, LF", csv_text(ROWS).encode("utf-8")),
        ("UTF-8 with BOM", b"\xef\xbb\xbf" + csv_text(ROWS).encode("utf-8")),
        ("CRLF", csv_text(ROWS, newline="\r\n").encode("utf-8")),
        ("CR only", csv_text(ROWS, newline="\r").encode("utf-8")),
        ("UTF-16 LE with BOM", csv_text(ROWS, newline="\r\n").encode("utf-16")),
        ("UTF-16 BE with BOM", b"\xfe\xff" + csv_text(ROWS).encode("utf-16-be")),
        ("trailing empty lines", (csv_text(ROWS) + "\n\n").encode("utf-8")),
        ("semicolon-delimited", csv_text(ROWS, delimiter=";").encode("utf-8")),
        ("tab-delimited", csv_text(ROWS, delimiter="\t").encode("utf-8")),
        (
            "header in another case, with spaces",
            csv_text(ROWS, header=[" Lead ID", "CREATED_AT ", "Company"]).encode("utf-8"),
        ),
        ("NUL bytes", csv_text(ROWS).encode("utf-8").replace(b"L2", b"L\x002")),
    ],
)
def test_a_text_file_is_read_as_it_comes(tmp_path, case, data):
    raw = read_raw_file(write_bytes(tmp_path, data), tmp_path)
    assert raw.columns == COLUMNS, case
    rows = clean_rows(raw)
    assert [[row[c] for c in COLUMNS] for row in rows] == ROWS, case
    # Each record knows its line in the original file (the quoted break spans two).
    assert [int(row[SOURCE_LINE]) for row in rows] == [2, 4, 5], case


def test_a_one_megabyte_field_is_read_whole(tmp_path):
    big = "x" * 1_048_576
    raw = read_raw_file(
        write_bytes(tmp_path, csv_text([["L1", "2015-01-01", big]]).encode("utf-8")), tmp_path
    )
    assert clean_rows(raw)[0]["company"] == big


@pytest.mark.parametrize(
    ("case", "data", "message"),
    [
        (
            "Windows-1252",
            csv_text(ROWS).encode("cp1252"),
            r"leads.csv: line 5: byte 0xe9 is not UTF-8; the file looks like Windows-1252 or "
            r"Latin-1. Save it as UTF-8",
        ),
        (
            "too many fields",
            b"lead_id,created_at,company\nL1,2015-01-01,Acme,Inc,extra\n",
            r"leads.csv: line 2: 5 fields but the header has 3 columns; quote fields",
        ),
        (
            "quote left open",
            b'lead_id,created_at,company\nL1,2015-01-01,"Acme\nL2,x,y\n',
            r"leads.csv: line \d+: cannot be read as CSV",
        ),
        (
            "text after a closing quote",
            b'lead_id,created_at,company\nL1,2015-01-01,"Acme" Inc\n',
            r"leads.csv: line 2: cannot be read as CSV",
        ),
        (
            "a column twice",
            b"lead_id,created_at,Lead ID\nL1,2015-01-01,x\n",
            r"leads.csv: line 1: column 'lead_id' appears twice",
        ),
        ("only whitespace", b"   \n\n", r"leads.csv: the file is empty"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_naming_file_and_line(tmp_path, case, data, message):
    with pytest.raises(ConfigError, match=message):
        read_raw_file(write_bytes(tmp_path, data), tmp_path)


def test_trailing_empty_fields_are_not_extra_columns(tmp_path):
    raw = read_raw_file(
        write_bytes(tmp_path, b"lead_id,created_at,company\nL1,2015,Acme,,\n"), tmp_path
    )
    assert [row["company"] for row in clean_rows(raw)] == ["Acme"]


def test_a_short_row_is_padded_with_empty_values(tmp_path):
    raw = read_raw_file(write_bytes(tmp_path, b"lead_id,created_at,company\nL1\n"), tmp_path)
    assert clean_rows(raw)[0] == {
        "lead_id": "L1",
        "created_at": None,
        "company": None,
        SOURCE_LINE: "2",
    }


def test_every_missing_column_is_listed(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(DEMO_RAW, raw, ignore=shutil.ignore_patterns("*.yml"))
    (raw / "revenue.csv").write_text("revenue_id,amount\nR1,5\n")
    with pytest.raises(ConfigError) as error:
        resolve_raw_files(raw)
    assert (
        "revenue.csv: missing required columns 'opportunity_id', 'booked_on', "
        "'revenue_type'; found columns: revenue_id, amount"
    ) in str(error.value)


def test_a_parquet_file_with_spaced_headers_is_renamed(tmp_path):
    path = tmp_path / "leads.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select 'L1' as \"Lead ID\", 'x' as \"Company\") to '{path}' (format parquet)"
        )
    out = tmp_path / "out"
    out.mkdir()
    raw = read_raw_file(path, out)
    assert raw.columns == ["lead_id", "company"] and raw.rows == 1
    with duckdb.connect() as connection:
        assert connection.execute(f"select lead_id from read_parquet('{raw.path}')").fetchone() == (
            "L1",
        )


def _odd_copy(root):
    """The demo export, saved the ways real exports arrive."""
    raw = root / "raw"
    raw.mkdir()
    for path in DEMO_RAW.glob("*.csv"):
        shutil.copy2(path, raw / path.name)
    with (DEMO_RAW / "leads.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    rows.append(
        [
            "LQ1",
            "2015-10-01T10:00:00Z",
            "q@example.org",
            "Quoted Person",
            "Line\nBreak Inc",
            "referral",
            "S02",
            "",
            "",
            "",
            "",
            "",
        ]
    )
    leads = csv_text(
        rows,
        delimiter=";",
        newline="\r",
        header=[name.upper().replace("_", " ") for name in header],
    )
    (raw / "leads.csv").write_bytes(leads.encode("utf-16"))  # UTF-16 with BOM, CR, ';'
    activities = (DEMO_RAW / "lead_activities.csv").read_text(encoding="utf-8")
    (raw / "lead_activities.csv").write_bytes(
        b"\xef\xbb\xbf" + activities.replace("\n", "\r\n").encode("utf-8") + b"\r\n\r\n"
    )
    with (DEMO_RAW / "opportunities.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    note = header.index("lost_reason")
    open_deal = next(row for row in rows if row[header.index("stage")] == "discovery")
    open_deal[note] = "n" * 1_048_576  # 1 MB of notes on a deal no page lists
    rows[0][header.index("account_name")] = 'ACME "Global", Inc; \x00Ltd'
    (raw / "opportunities.csv").write_text(csv_text(rows, header=header), encoding="utf-8")
    return raw


@pytest.fixture(scope="module")
def odd_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("odd")
    raw = _odd_copy(root)
    out = root / "site"
    result = CliRunner().invoke(
        cli, ["build", "--data", str(raw), "--as-of", "2015-10-15", "--out", str(out)]
    )
    return raw, out, root / ".site-work", result


def test_odd_files_build_and_every_row_is_read(odd_build):
    raw, _, work, result = odd_build
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(work / "sla_report.duckdb"), read_only=True) as connection:
        counts = dict(
            connection.execute("select raw_table, rows_read from main.rpt_data_quality").fetchall()
        )
    with duckdb.connect(str(scratch_database(work)), read_only=True) as connection:
        company = connection.execute(
            "select company_name from main.stg_crm__leads where lead_id = 'LQ1'"
        ).fetchone()
        account = connection.execute(
            "select account_name from main.stg_crm__opportunities order by created_at limit 1"
        ).fetchone()
    demo_leads = sum(1 for _ in csv.DictReader((DEMO_RAW / "leads.csv").open(encoding="utf-8")))
    assert counts["leads"] == demo_leads + 1
    assert counts["lead_activities"] == sum(
        1 for _ in csv.DictReader((DEMO_RAW / "lead_activities.csv").open(encoding="utf-8"))
    )
    assert company == ("Line\nBreak Inc",)
    assert account is not None


def test_no_traceback_and_a_one_line_answer_for_a_windows_1252_file(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(DEMO_RAW, raw, ignore=shutil.ignore_patterns("*.yml"))
    text = (raw / "reps.csv").read_text(encoding="utf-8").rstrip("\n") + "\n"
    (raw / "reps.csv").write_bytes(
        text.encode("utf-8") + "X9,José Núñez,sales,2015-01-01,\n".encode("cp1252")
    )
    result = CliRunner().invoke(cli, ["build", "--data", str(raw), "--out", str(tmp_path / "site")])
    assert result.exit_code == 3, result.output
    assert "reps.csv: line" in result.output and "Windows-1252" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "site").exists()


def test_one_stray_value_in_a_sparse_column_is_not_a_structural_problem(tmp_path):
    """Found by Hypothesis: one bad sql_at in an otherwise empty column refused the export."""
    raw = tmp_path / "raw"
    shutil.copytree(DEMO_RAW, raw, ignore=shutil.ignore_patterns("*.yml"))
    path = raw / "reps.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames, list(reader)
    for row in rows:
        row["ended_on"] = ""
    rows[0]["ended_on"] = "10/02/2015"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    assert resolve_raw_files(raw)["reps"].is_file()
    rows[1]["ended_on"] = rows[2]["ended_on"] = "10/03/2015"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(
        ConfigError,
        match=r"reps.csv: column 'ended_on': no value is a date "
        r"\(e.g. line 2: '10/02/2015'\)",
    ):
        resolve_raw_files(raw)
