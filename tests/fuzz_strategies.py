"""Hypothesis strategies for issue #11: raw tables and reference rows, valid and invalid mixed.

Values are drawn so that most rows are usable and some are not in every way
we know of (bad dates, US dates, unknown categories, negative or huge
amounts, missing and duplicate ids, hostile and multi-line text), and files
are saved the ways exports arrive (encodings, line ends, delimiters, header
spelling). Private values (e-mail, name, phone) are distinctive so a search
of the built site for them cannot match by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from generator.inputs.raw_columns import RAW_TABLES

# Text of any kind: Hypothesis' own text (any code point but surrogates), plus
# the values that broke builds before.
ODD_TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "Line\nBreak Inc",
            'ACME "Global", Inc',
            "a;b;c",
            "Café Zoë",
            "  padded  ",
            "<script>alert(1)</script>",
            "{{ x }}",
            "**bold**",
            "\r",
            "\t",
            "'",
            "\\",
            "x" * 300,
            "ä\x00b",
            "",
            "0",
            "-1",
            "NULL",
            "None",
            "nan",
        ]
    ),
)


def _timestamps():
    valid = st.builds(
        lambda day, hour, minute: f"2015-{day}T{hour:02d}:{minute:02d}:00Z",
        st.sampled_from(["09-01", "09-15", "09-30", "10-01", "10-14", "10-15"]),
        st.integers(0, 23),
        st.integers(0, 59),
    )
    invalid = st.sampled_from(
        [
            "10/02/2015 10:00",
            "yesterday",
            "2015-13-45",
            "",
            "2016-03-01T10:00:00Z",
            "2015-10-01 25:00",
            "1e9",
            "   ",
        ]
    )
    return st.one_of(valid, valid, valid, invalid, ODD_TEXT)


def _dates():
    valid = st.sampled_from(["2015-09-01", "2015-09-30", "2015-10-10", "2015-10-15"])
    invalid = st.sampled_from(["10/02/2015", "2016-01-01", "", "2015-02-30", "today"])
    return st.one_of(valid, valid, invalid, ODD_TEXT)


def _amounts():
    valid = st.sampled_from(["12000", "999.99", "0", "150000", " 42 "])
    invalid = st.sampled_from(["-5", "1e12", "12k", "", "1,000", "NaN", "inf"])
    return st.one_of(valid, valid, invalid, ODD_TEXT)


def _category(known: list[str], unknown: list[str]):
    return st.one_of(
        st.sampled_from(known), st.sampled_from(known), st.sampled_from(unknown + [""]), ODD_TEXT
    )


def _ids(prefix: str, pool: int = 8):
    return st.one_of(
        st.integers(1, pool).map(lambda n: f"{prefix}{n}"),
        st.integers(1, pool).map(lambda n: f"{prefix}{n}"),
        st.sampled_from(["", " "]),
        ODD_TEXT,
    )


@dataclass
class RawTables:
    """Generated raw tables (header + rows of text) and the private values in them."""

    tables: dict[str, list[dict[str, str]]]
    private: set[str] = field(default_factory=set)


@st.composite
def raw_tables(draw) -> RawTables:
    """Draw the six raw tables of one export."""
    private: set[str] = set()
    leads = []
    # One certain, recent, valid lead: an export is never completely empty of
    # events, so freshness is judged on real data.
    leads.append(
        {
            "lead_id": "L0",
            "created_at": "2015-10-15T15:00:00Z",
            "email": "anchor.lead@fuzz.example",
            "full_name": "Zqanchor Leadperson",
            "company": "Anchor Co",
            "source": "referral",
            "owner_id": "S1",
            "mql_at": "2015-10-15T16:00:00Z",
            "phone": "+1-555-0100-0000",
        }
    )
    private |= {"anchor.lead@fuzz.example", "Zqanchor Leadperson", "+1-555-0100-0000"}
    for number in range(draw(st.integers(0, 10))):
        token = draw(st.text("abcdefghijklmnopqrstuvwxyz", min_size=6, max_size=10))
        email = f"{token}.{number}@fuzz.example"
        name = f"Zq{token.title()} Fuzzperson{number}"
        phone = f"+1-555-0199-{number:04d}"
        private |= {email, name, phone}
        leads.append(
            {
                "lead_id": draw(_ids("L")),
                "created_at": draw(_timestamps()),
                "email": email,
                "full_name": name,
                "company": draw(ODD_TEXT),
                "source": draw(
                    _category(
                        [
                            "organic_search",
                            "paid_search",
                            "social",
                            "email",
                            "referral",
                            "direct",
                            "events",
                            "other",
                        ],
                        ["EMAIL_MARKETING", "REFERRALS", "OFFLINE"],
                    )
                ),
                "owner_id": draw(_ids("S", 3)),
                "mql_at": draw(_timestamps()),
                "sal_at": draw(st.one_of(st.just(""), _timestamps())),
                "sql_at": draw(st.one_of(st.just(""), _timestamps())),
                "disqualified_at": draw(st.one_of(st.just(""), _timestamps())),
                "disqualified_reason": draw(st.one_of(st.just(""), ODD_TEXT)),
                "phone": phone,
            }
        )
    # Each table also holds one valid row, so a typed column always has a
    # value that parses and the build goes on to the row-level checks (a
    # column where nothing parses is refused up front: tested on its own).
    anchors = {
        "lead_activities": {
            "activity_id": "A0",
            "lead_id": "L0",
            "occurred_at": "2015-10-15T17:00:00Z",
            "activity_type": "call",
            "rep_id": "S1",
            "is_automated": "false",
        },
        "opportunities": {
            "opportunity_id": "O0",
            "lead_id": "L0",
            "account_name": "Anchor Co",
            "created_at": "2015-10-15T18:00:00Z",
            "stage": "discovery",
            "amount": "1000",
            "owner_id": "S1",
        },
        "revenue": {
            "revenue_id": "R0",
            "opportunity_id": "O0",
            "booked_on": "2015-10-15",
            "amount": "1000",
            "revenue_type": "new_business",
        },
        "web_sessions": {"session_date": "2015-10-15", "channel": "direct", "sessions": "10"},
    }
    activities = [anchors["lead_activities"]] + [
        {
            "activity_id": draw(_ids("A", 12)),
            "lead_id": draw(_ids("L")),
            "occurred_at": draw(_timestamps()),
            "activity_type": draw(
                _category(["call", "email", "meeting", "social"], ["fax", "SMS"])
            ),
            "rep_id": draw(_ids("S", 3)),
            "is_automated": draw(st.sampled_from(["true", "false", "", "no", "maybe", "1"])),
        }
        for _ in range(draw(st.integers(0, 12)))
    ]
    opportunities = [anchors["opportunities"]] + [
        {
            "opportunity_id": draw(_ids("O", 5)),
            "lead_id": draw(st.one_of(st.just(""), _ids("L"))),
            "account_name": draw(ODD_TEXT),
            "created_at": draw(_timestamps()),
            "stage": draw(
                _category(
                    ["discovery", "proposal", "negotiation", "closed_won", "closed_lost"],
                    ["Closed Won", "qualification"],
                )
            ),
            "amount": draw(_amounts()),
            "proposal_sent_at": draw(st.one_of(st.just(""), _timestamps())),
            "closed_at": draw(st.one_of(st.just(""), _timestamps())),
            "owner_id": draw(_ids("S", 3)),
            "lost_reason": draw(st.one_of(st.just(""), ODD_TEXT)),
        }
        for _ in range(draw(st.integers(0, 6)))
    ]
    revenue = [anchors["revenue"]] + [
        {
            "revenue_id": draw(_ids("R", 5)),
            "opportunity_id": draw(_ids("O", 5)),
            "booked_on": draw(_dates()),
            "amount": draw(_amounts()),
            "revenue_type": draw(
                _category(["new_business", "expansion", "renewal"], ["upsell", "NEW"])
            ),
        }
        for _ in range(draw(st.integers(0, 6)))
    ]
    sessions = [anchors["web_sessions"]] + [
        {
            "session_date": draw(_dates()),
            "channel": draw(
                _category(
                    ["organic_search", "paid_search", "email", "direct"], ["OFFLINE", "tiktok"]
                )
            ),
            "sessions": draw(st.one_of(st.integers(0, 500).map(str), _amounts())),
        }
        for _ in range(draw(st.integers(0, 6)))
    ]
    reps = [
        {
            "rep_id": "S1",
            "rep_name": "Sam Seller",
            "team": "sales",
            "started_on": "2014-01-01",
            "ended_on": "",
        }
    ]
    reps += [
        {
            "rep_id": draw(_ids("S", 3)),
            "rep_name": draw(ODD_TEXT),
            "team": draw(_category(["sales", "marketing"], ["finance", "SALES"])),
            "started_on": draw(_dates()),
            "ended_on": draw(st.one_of(st.just(""), _dates())),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    return RawTables(
        {
            "leads": leads,
            "lead_activities": activities,
            "opportunities": opportunities,
            "revenue": revenue,
            "web_sessions": sessions,
            "reps": reps,
        },
        private,
    )


@dataclass(frozen=True)
class FileStyle:
    """How one raw file is saved."""

    encoding: str
    newline: str
    delimiter: str
    header_case: str
    trailing_blank_lines: int


FILE_STYLES = st.builds(
    FileStyle,
    encoding=st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    delimiter=st.sampled_from([",", ",", ";"]),
    header_case=st.sampled_from(["as is", "upper", "title with spaces"]),
    trailing_blank_lines=st.integers(0, 2),
)


def _field(value: str, delimiter: str) -> str:
    """Quote a field the way Excel and CRM exports do: when it needs it."""
    if any(c in value for c in (delimiter, '"', "\r", "\n")) or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


def _header_name(name: str, case: str) -> str:
    if case == "upper":
        return name.upper()
    if case == "title with spaces":
        return " " + name.replace("_", " ").title() + " "
    return name


def file_bytes(table: str, rows: list[dict[str, str]], style: FileStyle) -> bytes:
    """Return one raw table saved in the given style (extra columns kept)."""
    columns = list(RAW_TABLES[table]) + sorted(
        {key for row in rows for key in row} - set(RAW_TABLES[table])
    )
    lines = [
        style.delimiter.join(
            _field(_header_name(c, style.header_case), style.delimiter) for c in columns
        )
    ]
    lines += [
        style.delimiter.join(_field(row.get(c, ""), style.delimiter) for c in columns)
        for row in rows
    ]
    text = style.newline.join(lines) + style.newline * (1 + style.trailing_blank_lines)
    return text.encode(style.encoding, errors="replace" if style.encoding == "cp1252" else "strict")


AGREEMENT_FIELDS = {
    "revenue_goal": ["0", "-1", "abc", "1e400"],
    "average_deal_size": ["0", "x"],
    "lead_to_mql": ["45", "0", "-0.1"],
    "proposal_to_win": ["1.5"],
    "min_touch_attempts": ["2.5", "0"],
    "timezone": ["Chicago", "", "Mars/Olympus"],
    "business_day_start": ["9am", "25:00"],
    "business_day_end": ["08:00"],
    "ends_on": ["2015-06-30", "someday"],
    "starts_on": ["2015-06-01"],
}
TARGET_FIELDS = {
    "kpi_id": ["happiness"],
    "agreement_id": ["nope"],
    "month": ["2015-03-01", "2015-08-15", "soon"],
    "target": ["lots", "-3"],
}


@st.composite
def reference_changes(draw) -> dict[str, dict[str, str]]:
    """Draw changes to the reference seeds: usually none, sometimes one bad field."""
    kind = draw(st.sampled_from(["none", "none", "agreement", "target"]))
    if kind == "agreement":
        name = draw(st.sampled_from(sorted(AGREEMENT_FIELDS)))
        return {"sla_agreements": {name: draw(st.sampled_from(AGREEMENT_FIELDS[name]))}}
    if kind == "target":
        name = draw(st.sampled_from(sorted(TARGET_FIELDS)))
        return {"sla_targets": {name: draw(st.sampled_from(TARGET_FIELDS[name]))}}
    return {}
