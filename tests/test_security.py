"""Issue #24, security first: data that writes files, links that run script, private
details in free text, --out, symlinked exports, the preview server and the CLI's
last tracebacks. Each case is one a hostile or careless input reached before."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import threading
import urllib.error
import urllib.request
from html.parser import HTMLParser

import duckdb
import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.site.mkdocs import SITE_MARKER, check_out_dir
from generator.site.names import page_names
from tests.conftest import DEMO_RAW, HUNG_AFTER, copy_project, html_tables, page_text

# -- hostile and private input -----------------------------------------------------

# Ids that once chose file paths (`../../../PWNED` wrote outside the work
# folder, `../index` replaced the Overview), ran script, or clash as files.
HOSTILE_REP_IDS = [
    "../../../PWNED",
    "../index",
    "S06) [click](javascript:alert(1))",
    "a/b",
    "a\\b",
    "CON",
    "index",
    "s01",
    "<img src=x onerror=alert(1)>",
    "nul\x00byte",
    "..",
]
# Markdown and Jinja that must stay text wherever a value is shown.
PAYLOADS = {
    "link": "[click me](javascript:alert(1))",
    "image": "![x](https://evil.example/x.png)",
    "emphasis": "**bold** _em_",
    "pipe": "cell | injected",
    "jinja": "{{ 7*7 }} {% raw %}",
    "html": "<b onmouseover=alert(1)>hi</b>",
}
# Private details typed where they do not belong (the cases).
EMAILS = [
    "jane.roe@victim.example",
    "acc.owner@victim.example",
    "j.doe@example.com",
    "chan.nel@victim.example",
    "rep.owner@victim.example",
]
PHONES = ["+1 312 555 0142", "(773) 555-0199"]


def _read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def _append(path, rows):
    columns, existing = _read(path)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(existing + [{c: row.get(c, "") for c in columns} for row in rows])
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def _hostile_raw(raw):
    """Add reps with hostile ids, and hostile or private text in every text column."""
    payload = list(PAYLOADS.values())
    reps, leads, activities, opportunities, revenue = [], [], [], [], []
    for number, rep_id in enumerate(HOSTILE_REP_IDS):
        reps.append(
            {
                "rep_id": rep_id,
                "rep_name": f"Rep {number} {payload[number % 6]}",
                "team": "sales",
                "started_on": "2014-01-01",
            }
        )
        # An MQL left untouched: the rep's page lists it by lead id and company.
        leads.append(
            {
                "lead_id": f"LH{number} {payload[number % 6]}",
                "created_at": "2015-10-01T10:00:00Z",
                "mql_at": "2015-10-01T15:00:00Z",
                "email": f"lead{number}@victim.example",
                "full_name": f"Person {number}",
                "company": f"Co {number} {payload[(number + 1) % 6]}",
                "source": "referral",
                "owner_id": rep_id,
            }
        )
    reps.append(
        {
            "rep_id": EMAILS[4],
            "rep_name": "Owner By Address",
            "team": "sales",
            "started_on": "2014-01-01",
        }
    )
    leads += [
        {
            "lead_id": "LP1",
            "created_at": "2015-10-02T10:00:00Z",
            "mql_at": "2015-10-02T15:00:00Z",
            "company": EMAILS[0],
            "source": "referral",
            "owner_id": EMAILS[4],
        },
        {
            "lead_id": "LP2",
            "created_at": "2015-10-02T10:00:00Z",
            "mql_at": "2015-10-02T15:00:00Z",
            "company": f"Acme {PHONES[0]}",
            "source": payload[0],
            "owner_id": "S07",
        },
        {
            "lead_id": "LP3",
            "created_at": "2015-09-01T10:00:00Z",
            "mql_at": "2015-09-01T15:00:00Z",
            "company": "Rejected Co",
            "source": "email",
            "owner_id": "S02",
            "disqualified_at": "2015-09-02T10:00:00Z",
            "disqualified_reason": f"call back on {PHONES[1]} {payload[3]}",
        },
    ]
    activities.append(
        {
            "activity_id": "AH1 " + payload[1],
            "lead_id": "LP1",
            "occurred_at": "2015-10-05T15:00:00Z",
            "activity_type": payload[2],
            "rep_id": EMAILS[4],
            "is_automated": "false",
        }
    )
    opportunities += [
        {
            "opportunity_id": "OH1 " + payload[4],
            "lead_id": "LP3",
            "account_name": f"{payload[0]} {EMAILS[1]}",
            "created_at": "2015-08-03T15:00:00Z",
            "stage": "closed_lost",
            "amount": "5000",
            "closed_at": "2015-09-01T15:00:00Z",
            "owner_id": "../index",
            "lost_reason": f"{EMAILS[2]} went dark",
        },
        {
            "opportunity_id": "OH2",
            "account_name": f"Big Win {payload[5]}",
            "created_at": "2015-08-03T15:00:00Z",
            "stage": "closed_won",
            "amount": "300000",
            "proposal_sent_at": "2015-08-10T12:00:00Z",
            "closed_at": "2015-09-01T15:00:00Z",
            "owner_id": "S01",
        },
        {
            "opportunity_id": "OH3",
            "account_name": "Odd Stage Co",
            "stage": payload[2],
            "created_at": "2015-08-03T15:00:00Z",
            "amount": "100",
            "owner_id": "S01",
        },
    ]
    revenue += [
        {
            "revenue_id": "RH1 " + payload[3],
            "opportunity_id": "OH2",
            "booked_on": "2015-09-01",
            "amount": "300000",
            "revenue_type": "new_business",
        },
        {
            "revenue_id": "RH2",
            "opportunity_id": "OH2",
            "booked_on": "2015-09-02",
            "amount": "10",
            "revenue_type": payload[1],
        },
    ]
    _append(raw / "reps.csv", reps)
    _append(raw / "leads.csv", leads)
    _append(raw / "lead_activities.csv", activities)
    _append(raw / "opportunities.csv", opportunities)
    _append(raw / "revenue.csv", revenue)
    _append(
        raw / "web_sessions.csv",
        [
            {"session_date": "2015-10-02", "channel": EMAILS[3], "sessions": "5"},
            {"session_date": "2015-10-02", "channel": payload[4], "sessions": "5"},
        ],
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Build a project whose data carries every hostile id, payload and private detail.

    The out folder sits two levels deep, so an id that climbs out of the work
    folder would land inside tmp where the test can see it.
    """
    root = tmp_path_factory.mktemp("security")
    project = copy_project(root / "project")
    raw = root / "raw"
    shutil.copytree(DEMO_RAW, raw, ignore=shutil.ignore_patterns("*.yml"))
    _hostile_raw(raw)
    out = root / "deep" / "er" / "site"
    result = CliRunner().invoke(
        cli,
        [
            "build",
            "--project-dir",
            str(project),
            "--data",
            str(raw),
            "--as-of",
            "2015-10-15",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return root, out, result.output


# -- 1. a rep id never chooses a file path ------------------------------------------


def test_no_id_writes_a_file_outside_its_folder_or_over_another_page(hostile):
    root, out, _ = hostile
    assert not [p for p in root.rglob("*PWNED*") if "reps" not in p.parts], (
        "a rep id wrote a file outside the reps folder"
    )
    # The Overview is still the Overview, not a rep page.
    assert "Revenue against the goal" in page_text(out / "index.html", " ")
    rep_pages = {p.name for p in (out / "reps").glob("*.html")}
    # One page per rep of the team (10 demo reps are sales: S01..S10 minus marketing).
    handoff = (out / "handoff.html").read_text(encoding="utf-8")
    linked = set(re.findall(r'href="reps/([^"#]+)"', handoff))
    assert linked == rep_pages and len(rep_pages) >= len(HOSTILE_REP_IDS)
    for name in rep_pages:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*\.html", name), name
    assert "index.html" not in rep_pages and "CON.html" not in rep_pages


def test_each_hostile_rep_has_its_own_page_with_its_name(hostile):
    _, out, _ = hostile
    headings = [
        re.search(r"<h1[^>]*>(.*?)</h1>", page.read_text(encoding="utf-8"), re.S)[1]
        for page in (out / "reps").glob("*.html")
    ]
    for number in range(len(HOSTILE_REP_IDS)):
        assert sum(f"Rep {number} " in heading for heading in headings) == 1, number


def test_page_names_stay_in_their_folder_and_never_clash():
    ids = [
        *HOSTILE_REP_IDS,
        "S02",
        "A/B",
        "a:b",
        "a b",
        "",
        " ",
        "x" * 500,
        "é",
        "😀",
        "COM1",
        "lpt9",
        "Index",
        "j.doe@example.com",
        "+1 312 555 0142",
    ]
    names = page_names(ids)
    assert len({name.lower() for name in names.values()}) == len(ids)
    for identifier, name in names.items():
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}", name), (identifier, name)
        assert name.lower() not in {"index", "con", "com1", "lpt9"}
        assert "example" not in name and "3125550142" not in name.replace("-", "")
    assert names["S02"] == "S02"  # a plain id keeps its readable page name
    # Two ids that are one file on a case-insensitive disk both get a hash.
    clash = page_names(["S01", "s01"])
    assert clash["S01"] != "S01" and clash["s01"] != "s01"
    assert clash["S01"].lower() != clash["s01"].lower()


# -- 2. Markdown and Jinja from data stay text ---------------------------------------


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.rows: list[int] = []  # cells per table row
        self._cells = 0

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag == "tr":
            self._cells = 0
        elif tag in ("td", "th"):
            self._cells += 1

    def handle_endtag(self, tag):
        if tag == "tr":
            self.rows.append(self._cells)


def _parsed(path):
    parser = _Page()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_no_data_value_became_a_link_image_emphasis_or_markup(hostile):
    _, out, _ = hostile
    pages = list(out.rglob("*.html"))
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        parsed = _parsed(page)
        for tag, attrs in parsed.elements:
            assert not (attrs.get("href") or "").lower().startswith("javascript"), page
            assert "evil.example" not in (attrs.get("src") or ""), page
            assert not any(name.startswith("on") for name in attrs), (page, tag, attrs)
        assert "<strong>bold</strong>" not in raw and "<em>em</em>" not in raw, page
        assert "<b onmouseover" not in raw, page


def test_a_pipe_in_data_never_adds_a_table_column(hostile):
    _, out, _ = hostile
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for table in re.findall(r"<table.*?</table>", html, re.S):
            parser = _Page()
            parser.feed(table)
            assert len(set(parser.rows)) <= 1, (page.name, parser.rows)


@pytest.mark.parametrize("key", sorted(PAYLOADS))
def test_each_payload_shows_literally(hostile, key):
    _, out, _ = hostile
    shown = [p.name for p in out.rglob("*.html") if PAYLOADS[key] in page_text(p, " ")]
    assert shown, f"{key}: should appear as text on some page"


def test_payloads_reach_every_kind_of_text_column(hostile):
    """Each column is shown somewhere: rep names and ids, lead ids, companies, channels
    and stages (Data quality), account names, reasons."""
    _, out, _ = hostile
    text = {p.relative_to(out).as_posix(): page_text(p, " ") for p in out.rglob("*.html")}
    everything = " ".join(text.values())
    for expected in [
        f"Rep 2 {PAYLOADS['emphasis']}",
        f"LH0 {PAYLOADS['link']}",
        f"Co 0 {PAYLOADS['image']}",
        f"Big Win {PAYLOADS['html']}",
        f"unknown value '{PAYLOADS['link']}'",
        PAYLOADS["emphasis"],
    ]:
        assert expected in everything, expected


# -- 3. private details are masked everywhere and counted ----------------------------

# The phone numbers' digits in any spelling: "+1 312 555 0142", "312-555-0142".
_PHONE_SHAPES = [re.compile(r"\D{0,3}".join(re.findall(r"\d+", phone)[-3:])) for phone in PHONES]


def _leaks(text: str) -> list[str]:
    return (
        [e for e in EMAILS if e in text]
        + [shape.pattern for shape in _PHONE_SHAPES if shape.search(text)]
        + [
            f"lead{n}@victim.example"
            for n in range(len(HOSTILE_REP_IDS))
            if f"lead{n}@victim.example" in text
        ]
    )


def test_no_email_or_phone_reaches_any_published_file_or_the_build_output(hostile):
    _, out, output = hostile
    for path in out.rglob("*"):
        if path.is_file():
            assert _leaks(path.read_bytes().decode("utf-8", "replace")) == [], path.name
    assert _leaks(output) == []
    for name in ("summary.json", "history.json"):
        assert (out / name).is_file()


def test_no_email_or_phone_reaches_the_report_tables(hostile):
    """A BI tool reading the warehouse sees what the site shows: masked."""
    root, out, _ = hostile
    database = next((out.parent / f".{out.name}-work").rglob("*.duckdb"))
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables "
                "where table_name like 'rpt_%' or table_name like 'fct_%' "
                "or table_name like 'dim_%'"
            ).fetchall()
        ]
        for table in tables:
            rows = connection.execute(f'select * from "{table}"').fetchall()
            assert _leaks(repr(rows)) == [], table


def test_data_quality_counts_what_was_masked(hostile):
    """Counted from the injected rows: every value holding an address or a phone."""
    _, out, _ = hostile
    table = next(
        t
        for t in html_tables(out / "data-quality.html")
        if [cell[0] for cell in t[0]] == ["Raw table", "Column", "Values masked"]
    )
    shown = {(row[0][0], row[1][0]): int(row[2][0]) for row in table[1:]}
    expected = {  # (table, column): values injected above that hold a private detail
        ("leads", "company"): 2,
        ("leads", "owner_id"): 1,
        ("leads", "disqualified_reason"): 1,
        ("opportunities", "account_name"): 1,
        ("opportunities", "lost_reason"): 1,
        ("reps", "rep_id"): 1,
        ("lead_activities", "rep_id"): 1,
        ("web_sessions", "channel"): 1,
    }
    assert shown == expected
    assert "[e-mail] went dark" in page_text(out / "sales.html", " ")


# -- 4. --out replaces only what this tool published ---------------------------------


def test_a_folder_that_only_looks_like_a_site_is_left_alone(tmp_path):
    out = tmp_path / "looks-like-a-site"
    out.mkdir()
    for name, text in (
        ("index.html", "<p>mine</p>"),
        ("summary.json", "{}"),
        ("notes.txt", "my notes"),
    ):
        (out / name).write_text(text)
    before = {p.name: p.read_text() for p in out.iterdir()}
    result = CliRunner().invoke(cli, ["build", "--out", str(out)])
    assert result.exit_code == 3, result.output
    assert "Nothing was changed" in result.output
    assert {p.name: p.read_text() for p in out.iterdir()} == before


def test_a_published_site_with_a_file_added_is_refused(demo_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(demo_site, site)
    check_out_dir(site)  # exactly what was published: ours to replace
    manifest = json.loads((site / SITE_MARKER).read_text())
    assert "index.html" in manifest["files"] and "summary.json" in manifest["files"]
    (site / "charts" / "notes.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["build", "--out", str(site)])
    assert result.exit_code == 3 and "charts/notes.txt" in result.output, result.output
    assert (site / "charts" / "notes.txt").read_text() == "mine"


def test_the_fetched_published_record_alone_is_a_folder_to_build_into(tmp_path):
    """`make previous-summary` leaves summary.json and history.json in --out."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("{}")
    (out / "history.json").write_text("{}")
    check_out_dir(out)


# -- 5. symlinked exports --------------------------------------------------------------


@pytest.fixture(scope="module")
def linked_exports(tmp_path_factory):
    """Each table a link to a dated export of the same name: exports/<table>/2015-10-15.csv."""
    root = tmp_path_factory.mktemp("links")
    data = root / "data"
    data.mkdir()
    for source in DEMO_RAW.glob("*.csv"):
        dated = root / "exports" / source.stem / "2015-10-15.csv"
        dated.parent.mkdir(parents=True)
        shutil.copy2(source, dated)
        (data / source.name).symlink_to(dated)
    return root, data


def test_symlinked_exports_build_the_same_figures(linked_exports, demo_site):
    root, data = linked_exports
    out = root / "site"
    result = CliRunner().invoke(
        cli, ["build", "--data", str(data), "--as-of", "2015-10-15", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    built = json.loads((out / "summary.json").read_text())
    demo = json.loads((demo_site / "summary.json").read_text())
    assert [(k["id"], k["value"], k["status"]) for k in built["kpis"]] == [
        (k["id"], k["value"], k["status"]) for k in demo["kpis"]
    ]


def test_a_dangling_link_is_named(linked_exports, tmp_path):
    _, data = linked_exports
    broken = tmp_path / "data"
    shutil.copytree(data, broken, symlinks=True)
    (broken / "reps.csv").unlink()
    (broken / "reps.csv").symlink_to(tmp_path / "gone" / "2015-10-15.csv")
    result = CliRunner().invoke(
        cli,
        ["build", "--data", str(broken), "--as-of", "2015-10-15", "--out", str(tmp_path / "site")],
    )
    assert result.exit_code == 3, result.output
    assert "reps.csv is a link to" in result.output and "does not exist" in result.output


# -- 6. the preview server -----------------------------------------------------------


@pytest.fixture()
def served(demo_build):
    """Serve the built demo without rebuilding (--no-watch), on a free port."""
    from generator.commands.serve import Preview

    config = demo_build[0]
    preview = Preview(lambda: config, port=0, watch=False, report=lambda message: None)
    thread = threading.Thread(target=preview.run, daemon=True)
    thread.start()
    for _ in range(200):  # bounded: the server binds within a few ms
        if preview.server is not None:
            break
        threading.Event().wait(0.05)
    assert preview.server is not None
    yield f"http://127.0.0.1:{preview.server.server_address[1]}"
    preview.server.shutdown()
    thread.join(timeout=10)


def _status_of(url: str, method: str = "GET") -> int:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("path", ["/%00", "/%00.html", "/reps/%00x", "/%01", "/a%0d%0ab"])
def test_a_path_no_file_can_have_is_a_400(served, path):
    assert _status_of(served + path) == 400
    assert _status_of(served + path, "HEAD") == 400
    assert _status_of(served + "/") == 200  # and the server is still up


def test_the_preview_never_serves_outside_the_site(served):
    assert _status_of(served + "/..%2f..%2f..%2fetc%2fpasswd") == 404
    assert _status_of(served + "/../../../etc/passwd") == 404


# -- 7 and 8. no traceback, no exit 1 on user input ---------------------------------


class _WouldRun(Exception):
    """Raised instead of a build or a server: the command accepted its input."""


@pytest.fixture()
def no_run(monkeypatch, tmp_path):
    """A project copy to change, and build/serve stubbed out: only checks run."""
    import generator.commands.build
    import generator.commands.serve

    def refuse(*_args, **_kwargs):
        raise _WouldRun

    monkeypatch.setattr(generator.commands.build, "build_report", refuse)
    monkeypatch.setattr(generator.commands.serve.Preview, "run", refuse)
    return copy_project(tmp_path / "project")


FILE = "__file__"  # stands for a file (where a folder is expected)
MISSING = "__missing__"  # a path that does not exist
UNWRITABLE = "__unwritable__"  # a folder that cannot be created
AGREE = ["--from", "2015-h2", "--starts", "2016-01-01", "--ends", "2016-06-30"]

# command -> option -> invalid values. Every option of every command is listed
# (test_every_option_is_covered), so a new option needs its bad values here.
INVALID = {
    ("build",): {
        "--data": [MISSING, FILE, ""],
        "--source": ["nope", ""],
        "--as-of": ["yesterday", "2015-02-30", "99999-01-01", "", "2015-10-15T00:00"],
        "--out": [FILE, "/", "", "PROJECT"],
        "--memory-limit": ["lots", "-1GB", "0GB", "150%", ""],
        "--locale": ["xx", "../../etc", ""],
        "--currency": ["DOLLAR", "", "usd1"],
        "--target": ["nope", ""],
        "--project-dir": [MISSING, FILE, ""],
    },
    ("serve",): {
        "--port": ["99999", "-1", "x", "1e3"],
        "--data": [MISSING],
        "--as-of": ["tomorrow"],
        "--memory-limit": ["x"],
        "--out": [FILE],
    },
    ("load",): {
        "--target": ["nope", "", "duckdb"],
        "--data": [MISSING, FILE, ""],
        "--source": ["nope"],
        "--project-dir": [MISSING],
    },
    ("pull", "SYSTEM"): {
        "SYSTEM": ["pipedrive", ""],
        "--since": ["yesterday", "2015-02-30", "", "15/10/2015"],
        "--data": [FILE, ""],
        "--project-dir": [MISSING],
    },
    ("demo-data", "OUT"): {
        "--scale": ["-1", "0", "nan", "inf", "1e400", "x", "100000"],
        "--seed": ["x", "1.5", ""],
        "OUT": [UNWRITABLE, FILE],
    },
    ("notify",): {
        "--out": [MISSING, FILE, ""],
        "--summary": [MISSING, "", "FOLDER"],
        "--format": ["nope", ""],
        "--webhook-env": ["", "NO_SUCH_VARIABLE"],
        "--site-url": ["javascript:alert(1)", "ftp://x", "https://a b"],
        "--timeout": ["0", "-1", "x", "1000"],
        "--project-dir": [MISSING],
    },
    ("settings",): {"--get": ["nope", ""], "--project-dir": [MISSING]},
    ("agreement", "new"): {
        "--from": ["nope", ""],
        "--starts": ["x", "2016-02-30"],
        "--ends": ["2015-01-01", "x"],
        "--revenue-goal": ["-5", "abc", "1e400", "nan", "0", ""],
        "--id": ["../x", "a/b", "", "x" * 100],
        "--project-dir": [MISSING],
    },
    ("agreement", "reset"): {
        "AGREEMENT_ID": ["nope", "../2015-h2"],
        "--on": ["x", "2099-10-01", "2015-07-01"],
        "--revenue-goal": ["abc", "1e400"],
        "--id": ["../x", "2015-h1"],
        "--project-dir": [MISSING],
    },
}


def _value(value: str, tmp_path, project) -> str:
    if value == FILE:
        path = tmp_path / "a-file"
        path.write_text("x")
        return str(path)
    if value == UNWRITABLE:
        (tmp_path / "a-file").write_text("x")
        return str(tmp_path / "a-file" / "below")
    return {
        MISSING: str(tmp_path / "missing"),
        "PROJECT": str(project),
        "FOLDER": str(tmp_path),
    }.get(value, value)


def _arguments(command, option, value, project, tmp_path) -> list[str]:
    value = _value(value, tmp_path, project)
    if command == ("pull", "SYSTEM"):
        system = value if option == "SYSTEM" else "hubspot"
        given = [] if option == "SYSTEM" else [option, value]
        extra = [] if option == "--project-dir" else ["--project-dir", str(project)]
        return ["pull", system, *given, *extra]
    if command == ("demo-data", "OUT"):
        out = value if option == "OUT" else str(tmp_path / "demo")
        return ["demo-data", out, *([] if option == "OUT" else [option, value])]
    if command == ("agreement", "new"):
        given = dict(zip(AGREE[::2], AGREE[1::2], strict=True)) | {option: value}
        given.setdefault("--project-dir", str(project))
        return ["agreement", "new", *[part for pair in given.items() for part in pair]]
    if command == ("agreement", "reset"):
        given = {"--on": "2015-10-01", "--project-dir": str(project)}
        agreement = value if option == "AGREEMENT_ID" else "2015-h2"
        if option != "AGREEMENT_ID":
            given[option] = value
        return ["agreement", "reset", agreement, *[p for pair in given.items() for p in pair]]
    extra = [] if option == "--project-dir" else ["--project-dir", str(project)]
    return [*command, option, value, *extra]


CASES = [
    (command, option, value)
    for command, options in INVALID.items()
    for option, values in options.items()
    for value in values
]


@pytest.mark.parametrize(
    ("command", "option", "value"),
    CASES,
    ids=[f"{' '.join(c)}-{o}-{v[:12]!r}" for c, o, v in CASES],
)
def test_an_invalid_value_is_a_usage_or_input_error_in_one_line(
    no_run, tmp_path, command, option, value
):
    arguments = _arguments(command, option, value, no_run, tmp_path)
    before = (no_run / "seeds" / "reference" / "sla_agreements.csv").read_bytes()
    result = CliRunner().invoke(cli, arguments)
    assert not isinstance(result.exception, _WouldRun), (
        f"{arguments}: accepted; the build or server would have started"
    )
    assert result.exit_code in (2, 3), (arguments, result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error:"), result.output
    # A refused agreement command changes nothing.
    assert (no_run / "seeds" / "reference" / "sla_agreements.csv").read_bytes() == before


def _commands(group, prefix=()):
    import click

    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        elif name != "dev":  # `dev` is `serve`
            yield (*prefix, name), command


def test_every_option_is_covered():
    import click

    keys = {key[0] if key[0] != "agreement" else key: key for key in INVALID}
    for path, command in _commands(cli):
        key = keys.get(path[0] if path[0] != "agreement" else path)
        assert key, f"{' '.join(path)}: no invalid values listed in INVALID"
        listed = set(INVALID[key])
        options = {
            param.opts[0] if isinstance(param, click.Option) else param.name.upper()
            for param in command.params
            if not (isinstance(param, click.Option) and param.is_flag)
        }
        if path[0] == "serve":  # the shared build options are covered under build
            options -= set(INVALID[("build",)]) - listed
        assert options <= listed, (path, options - listed)


@pytest.mark.parametrize(
    "arguments",
    [
        ["demo-data", "OUT", "--scale", "-1"],
        ["serve", "--port", "99999"],
        ["demo-data", "/proc/no/such/folder"],
    ],
)
def test_a_real_process_prints_no_traceback(arguments, tmp_path):
    import subprocess
    import sys

    arguments = [str(tmp_path / "out") if a == "OUT" else a for a in arguments]
    done = subprocess.run(
        [sys.executable, "-m", "generator", *arguments],
        capture_output=True,
        text=True,
        timeout=HUNG_AFTER,
        cwd=tmp_path,
    )
    assert done.returncode in (2, 3), done
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.strip().splitlines()[-1].startswith("Error: "), done.stderr
