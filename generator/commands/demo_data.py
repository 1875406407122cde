"""Write the deterministic demo CRM extract (the 2015 reset story) as raw CSV files.

The world: a B2B company signs a Sales & Marketing SLA for January-June 2015,
beats its revenue goal, grows the sales team by a quarter on 1 July and resets
the agreement for July-December with higher goals. The extract is taken "as of"
2015-10-15, so nothing after that local day exists in the files.

Everything comes from one `random.Random(seed)`, so the same seed and scale
always give byte-identical files. Names and e-mails are fake.
"""

from __future__ import annotations

import csv
import logging
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.exceptions import ConfigError
from generator.inputs.raw_columns import CHANNELS as CONTRACT_CHANNELS
from generator.inputs.raw_columns import OPTIONAL_TABLES, RAW_TABLES

log = logging.getLogger(__name__)

DEMO_SEED = 2015
DEMO_AS_OF = date(2015, 10, 15)
LOCAL_TZ = ZoneInfo("America/Chicago")
WORLD_START = date(2014, 11, 1)
BUSINESS_START, BUSINESS_END = time(9, 0), time(17, 0)

HOLIDAYS_2015 = [
    (date(2015, 1, 1), "New Year's Day"),
    (date(2015, 1, 19), "Martin Luther King Jr. Day"),
    (date(2015, 2, 16), "Presidents' Day"),
    (date(2015, 5, 25), "Memorial Day"),
    (date(2015, 7, 3), "Independence Day (observed)"),
    (date(2015, 9, 7), "Labor Day"),
    (date(2015, 11, 26), "Thanksgiving Day"),
    (date(2015, 11, 27), "Day after Thanksgiving"),
    (date(2015, 12, 24), "Christmas Eve"),
    (date(2015, 12, 25), "Christmas Day"),
]


@dataclass(frozen=True)
class Channel:
    """One acquisition channel: traffic and how well it converts."""

    name: str
    sessions_per_day: float
    visit_to_lead: float
    lead_to_mql: float
    mql_to_sql: float


# Per channel of the contract (generator.inputs.raw_columns.CHANNELS, whose
# order the draws follow): sessions per day, visit to lead, lead to MQL, MQL
# to SQL.
TRAFFIC = {
    "organic_search": (700, 0.0075, 0.42, 0.42),
    "paid_search": (380, 0.0090, 0.38, 0.36),
    "social": (320, 0.0045, 0.28, 0.25),
    "email": (150, 0.0120, 0.50, 0.40),
    "referral": (90, 0.0160, 0.62, 0.55),
    "direct": (240, 0.0050, 0.35, 0.40),
    "events": (15, 0.0700, 0.55, 0.45),
    "other": (50, 0.0040, 0.22, 0.20),
}
CHANNELS = [Channel(name, *TRAFFIC[name]) for name in CONTRACT_CHANNELS]

DISQUALIFY_REASONS = ["no budget", "bad fit", "no response", "student or job seeker", "competitor"]
LOST_REASONS = ["price", "chose competitor", "no decision", "timing", "missing feature"]
FIRST_NAMES = """Ava Ben Chloe Dan Elif Femi Gus Hana Ivo Jae Kira Luca Mina Noor Omar Pia
Quin Rafa Sana Tomas Uma Vik Wren Xiu Yara Zed Ana Bo Cy Dee Eli Fay Gil Ian Jo Kai Lea Max
Nia Oli""".split()
LAST_NAMES = """Abara Berg Castro Dlamini Eriksen Fontaine Gupta Haddad Ito Jensen Kowalski
Lindqvist Moreau Nakamura Okafor Petrov Quispe Rossi Santos Tanaka Urban Varga Weber Xu
Yilmaz Zhang""".split()
# Staff names come from their own pool, so a lead never shares a name with a
# rep: the privacy test can then flag any lead name found in the site.
REP_FIRST_NAMES = "Alma Bruno Cleo Dario Edda Flavio Greta Hugo Ines Jonas Karin Lars Mila".split()
REP_LAST_NAMES = "Aalto Brandt Costa Duarte Engel Falk Grau Horn Iversen Janssen Keller".split()
COMPANY_A = """Acme Apex Blue Bright Cedar Delta Ember Falcon Granite Harbor Iron Juniper
Kestrel""".split()
COMPANY_B = """Analytics Biotech Cloud Dynamics Foods Health Labs Logistics Media Retail
Works""".split()
COMPANY_C = ["Inc", "LLC", "Group", "Co", "Partners", "Ltd"]
# Real CRMs hold text like this; the site must show it as text, never run it.
TRICKY_COMPANIES = ['<script>alert("sla")</script> Ltd', "**Bold** & Sons", "{{ jinja }} Labs"]


@dataclass
class Rep:
    """A sales or marketing team member and, for sales, their response habits."""

    rep_id: str
    rep_name: str
    team: str
    started_on: date
    ended_on: date | None = None
    median_response_hours: float = 2.0
    never_touch_share: float = 0.03
    mean_attempts: float = 6.0
    sql_skill: float = 1.0


@dataclass
class World:
    """All generated rows, one list of dicts per raw table."""

    reps: list[dict] = field(default_factory=list)
    web_sessions: list[dict] = field(default_factory=list)
    leads: list[dict] = field(default_factory=list)
    lead_activities: list[dict] = field(default_factory=list)
    opportunities: list[dict] = field(default_factory=list)
    revenue: list[dict] = field(default_factory=list)
    lead_owner_history: list[dict] = field(default_factory=list)


class BusinessCalendar:
    """Convert business hours of delay into wall-clock instants (for generation only)."""

    def __init__(self, holidays: Iterable[date]):
        self.holidays = set(holidays)

    def is_business_day(self, day: date) -> bool:
        """Return whether reps work on this local date."""
        return day.weekday() < 5 and day not in self.holidays

    def add_business_hours(self, start_local: datetime, hours: float) -> datetime:
        """Return the local wall-clock time `hours` business hours after `start_local`."""
        remaining = timedelta(hours=hours)
        current = start_local
        while True:
            day = current.date()
            window_start = datetime.combine(day, BUSINESS_START, tzinfo=LOCAL_TZ)
            window_end = datetime.combine(day, BUSINESS_END, tzinfo=LOCAL_TZ)
            if self.is_business_day(day) and current < window_end:
                current = max(current, window_start)
                available = window_end - current
                if remaining <= available:
                    return current + remaining
                remaining -= available
            current = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)


def _utc_text(moment: datetime) -> str:
    """Return an ISO 8601 UTC timestamp with a Z suffix."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seasonality(day: date) -> float:
    """Return the traffic multiplier of a day: weekends, summer dip, H2 growth."""
    weekday = 0.45 if day.weekday() >= 5 else 1.0
    month = {
        1: 0.9,
        2: 0.95,
        3: 1.05,
        4: 1.05,
        5: 1.0,
        6: 0.95,
        7: 0.85,
        8: 0.9,
        9: 1.1,
        10: 1.15,
        11: 1.1,
        12: 0.8,
    }[day.month]
    # Marketing spend rose with the reset agreement in July.
    growth = 1.3 if day >= date(2015, 7, 1) else 1.0
    return weekday * month * growth


class DemoBuilder:
    """Simulate the 2015 funnel and keep only what an as-of extract would hold."""

    def __init__(self, seed: int, scale: float, as_of: date):
        self.rng = random.Random(seed)
        self.rng_seed = seed
        # The traps below draw from their own stream, so adding them left
        # every other generated row exactly as it was.
        self.trap_rng = random.Random(seed + 1)
        self.scale = scale
        self.as_of = as_of
        self.extract_end = datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)
        self.calendar = BusinessCalendar(d for d, _ in HOLIDAYS_2015)
        self.world = World()
        self.sales_reps: list[Rep] = []
        self._activity_seq = 0
        self._opportunity_seq = 0
        self._revenue_seq = 0
        self._names_used: set[str] = set()

    # -- people -----------------------------------------------------------------
    def _rep_name(self, number: int) -> str:
        return (
            f"{REP_FIRST_NAMES[number % len(REP_FIRST_NAMES)]} "
            f"{REP_LAST_NAMES[(number * 7) % len(REP_LAST_NAMES)]}"
        )

    def _person_name(self) -> str:
        while True:
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            if name not in self._names_used or len(self._names_used) > 900:
                self._names_used.add(name)
                return name

    def _company(self) -> str:
        rng = self.rng
        return f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {rng.choice(COMPANY_C)}"

    def build_reps(self) -> None:
        """Create 8 sales reps, 2 more from July (+25%), and 3 marketers."""
        habits = [
            (0.6, 0.01, 8.0, 1.15),
            (1.0, 0.02, 7.0, 1.1),
            (1.5, 0.03, 6.5, 1.0),
            (2.0, 0.03, 6.0, 1.0),
            (3.0, 0.05, 5.5, 0.95),
            (4.5, 0.06, 5.0, 0.9),
            (7.0, 0.10, 4.0, 0.85),
            (12.0, 0.14, 3.5, 0.8),
            (2.5, 0.04, 6.0, 0.95),
            (1.2, 0.02, 7.0, 1.05),
        ]
        for number, (median, never, attempts, skill) in enumerate(habits, start=1):
            started = date(2013, 3, 1) + timedelta(days=70 * number)
            if number > 8:
                started = date(2015, 7, 1)
            rep = Rep(
                f"S{number:02d}",
                self._rep_name(number),
                "sales",
                started,
                median_response_hours=median,
                never_touch_share=never,
                mean_attempts=attempts,
                sql_skill=skill,
            )
            self.sales_reps.append(rep)
        marketers = [
            Rep(f"M{n:02d}", self._rep_name(20 + n), "marketing", date(2013, 1, 7))
            for n in range(1, 4)
        ]
        # One marketer left in the summer: ended_on is part of the contract.
        marketers[2].ended_on = date(2015, 8, 14)
        for rep in [*self.sales_reps, *marketers]:
            self.world.reps.append(
                {
                    "rep_id": rep.rep_id,
                    "rep_name": rep.rep_name,
                    "team": rep.team,
                    "started_on": rep.started_on.isoformat(),
                    "ended_on": rep.ended_on.isoformat() if rep.ended_on else "",
                }
            )

    # -- traffic and leads ------------------------------------------------------
    def _poisson(self, mean: float) -> int:
        """Return a Poisson draw (Knuth for small means, normal approximation above)."""
        if mean > 40:
            return max(0, round(self.rng.gauss(mean, math.sqrt(mean))))
        limit, k, p = math.exp(-mean), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def _local_moment(self, day: date) -> datetime:
        """Return a random local time on `day`, mostly in working hours."""
        if self.rng.random() < 0.72:
            minutes = self.rng.uniform(8 * 60, 18 * 60)
        else:
            minutes = self.rng.uniform(0, 24 * 60 - 1)
        return datetime.combine(day, time(0), tzinfo=LOCAL_TZ) + timedelta(minutes=minutes)

    def build_funnel(self) -> None:
        """Simulate traffic, leads and everything downstream day by day."""
        day = WORLD_START
        lead_number = 0
        while day <= self.as_of:
            season = _seasonality(day)
            for channel in CHANNELS:
                sessions = self._poisson(channel.sessions_per_day * season * self.scale)
                if channel.name == "events" and day.day in (9, 10) and day.weekday() < 5:
                    sessions += int(400 * self.scale)  # trade-show days
                self.world.web_sessions.append(
                    {"session_date": day.isoformat(), "channel": channel.name, "sessions": sessions}
                )
                for _ in range(self._poisson(sessions * channel.visit_to_lead)):
                    lead_number += 1
                    self._lead(f"L{lead_number:06d}", channel, self._local_moment(day))
            day += timedelta(days=1)
        # Sales-sourced deals (no lead): outbound prospecting by the reps.
        day = WORLD_START
        while day <= self.as_of:
            if day.weekday() < 5:
                for _ in range(self._poisson(0.5 * self.scale)):
                    created = self._local_moment(day)
                    rep = self._rep_on(day)
                    self._opportunity(None, rep, created, self._company())
            day += timedelta(days=1)

    def _rep_on(self, day: date) -> Rep:
        active = [r for r in self.sales_reps if r.started_on <= day]
        return self.rng.choice(active)

    def _lead(self, lead_id: str, channel: Channel, created: datetime) -> None:
        rng = self.rng
        row, company = self._lead_row(lead_id, channel, created)
        self.world.leads.append(row)
        if rng.random() >= channel.lead_to_mql:
            return
        mql_at = created + timedelta(hours=rng.expovariate(1 / 30))
        if mql_at >= self.extract_end:
            return
        rep = self._rep_on(mql_at.date())
        row["owner_id"] = rep.rep_id
        row["mql_at"] = _utc_text(mql_at)
        self._activities_that_are_not_touches(lead_id, mql_at, rep)
        if rng.random() < rep.never_touch_share:
            return
        self._work_lead(row, lead_id, channel, rep, mql_at, company)

    def _lead_row(
        self, lead_id: str, channel: Channel, created: datetime
    ) -> tuple[dict[str, str], str]:
        """Return a new lead's row, before any funnel stage, and its company."""
        name = self._person_name()
        company = self._company()
        if int(lead_id[1:]) % 997 == 0:
            company = TRICKY_COMPANIES[int(lead_id[1:]) // 997 % len(TRICKY_COMPANIES)]
        first, last = name.lower().split(" ", 1)
        row = {
            "lead_id": lead_id,
            "created_at": _utc_text(created),
            "email": f"{first}.{last}.{lead_id[1:]}@example.com",
            "full_name": name,
            "company": company,
            "source": channel.name,
            "owner_id": "",
            "mql_at": "",
            "sal_at": "",
            "sql_at": "",
            "disqualified_at": "",
            "disqualified_reason": "",
        }
        return row, company

    def _activities_that_are_not_touches(self, lead_id: str, mql_at: datetime, rep: Rep) -> None:
        """Add the automated e-mails and the prospecting that do not answer an MQL."""
        rng = self.rng
        # Nurture sequences send automated e-mails right after MQL: never a touch.
        for step in range(rng.randint(1, 3)):
            self._activity(
                lead_id,
                mql_at + timedelta(minutes=2 + step * 1440),
                "email",
                rep.rep_id,
                automated=True,
            )
        # Some SDR prospecting happens before the lead became an MQL: ignored.
        if rng.random() < 0.08:
            self._activity(
                lead_id,
                mql_at - timedelta(hours=rng.uniform(1, 48)),
                "call",
                rep.rep_id,
                automated=False,
            )

    def _work_lead(
        self,
        row: dict[str, str],
        lead_id: str,
        channel: Channel,
        rep: Rep,
        mql_at: datetime,
        company: str,
    ) -> None:
        """Add the rep's touches to an MQL and move it on to SAL and SQL, or disqualify it."""
        rng = self.rng
        delay = rep.median_response_hours * math.exp(rng.gauss(0, 0.9))
        first_touch = self.calendar.add_business_hours(mql_at.astimezone(LOCAL_TZ), delay)
        attempts = max(1, self._poisson(rep.mean_attempts))
        touches = [first_touch] + sorted(
            first_touch + timedelta(hours=rng.uniform(2, 14 * 24)) for _ in range(attempts - 1)
        )
        for moment in touches:
            kind = rng.choices(["call", "email", "meeting", "social"], [5, 4, 1, 1])[0]
            self._activity(lead_id, moment, kind, rep.rep_id, automated=False)
        sal_at = first_touch + timedelta(minutes=rng.uniform(5, 600))
        if sal_at < self.extract_end:
            row["sal_at"] = _utc_text(sal_at)
        if rng.random() < channel.mql_to_sql * rep.sql_skill:
            sql_at = first_touch + timedelta(days=rng.uniform(0.5, 9))
            if sql_at < self.extract_end:
                row["sql_at"] = _utc_text(sql_at)
                if rng.random() < 0.82:
                    created_opp = sql_at + timedelta(days=rng.uniform(0, 4))
                    self._opportunity(lead_id, rep, created_opp, company)
        elif rng.random() < 0.7:
            disqualified = first_touch + timedelta(days=rng.uniform(0.2, 12))
            if disqualified < self.extract_end:
                row["disqualified_at"] = _utc_text(disqualified)
                row["disqualified_reason"] = rng.choice(DISQUALIFY_REASONS)

    def _activity(
        self, lead_id: str, moment: datetime, kind: str, rep_id: str, automated: bool
    ) -> None:
        if moment >= self.extract_end:
            return
        self._activity_seq += 1
        self.world.lead_activities.append(
            {
                "activity_id": f"A{self._activity_seq:07d}",
                "lead_id": lead_id,
                "occurred_at": _utc_text(moment),
                "activity_type": kind,
                "rep_id": rep_id,
                "is_automated": "true" if automated else "false",
            }
        )

    def _opportunity(self, lead_id: str | None, rep: Rep, created: datetime, company: str) -> None:
        """Create an opportunity and play its stages, keeping what happened by as-of."""
        if created >= self.extract_end:
            return
        rng = self.rng
        self._opportunity_seq += 1
        opportunity_id = f"O{self._opportunity_seq:06d}"
        amount = round(min(90000.0, rng.lognormvariate(math.log(10500), 0.55)), -1)
        row = {
            "opportunity_id": opportunity_id,
            "lead_id": lead_id or "",
            "account_name": company,
            "created_at": _utc_text(created),
            "stage": "discovery",
            "amount": f"{amount:.2f}",
            "proposal_sent_at": "",
            "closed_at": "",
            "owner_id": rep.rep_id,
            "lost_reason": "",
        }
        self.world.opportunities.append(row)
        proposal = created + timedelta(days=rng.uniform(3, 21))
        gets_proposal = rng.random() < 0.62
        closed = (proposal if gets_proposal else created) + timedelta(days=rng.uniform(7, 45))
        won = gets_proposal and rng.random() < 0.46 * rep.sql_skill
        lost = not won and rng.random() < 0.85
        if gets_proposal and proposal < self.extract_end:
            row["proposal_sent_at"] = _utc_text(proposal)
            row["stage"] = "proposal"
            if closed >= self.extract_end and rng.random() < 0.5:
                row["stage"] = "negotiation"
        if (won or lost) and closed < self.extract_end:
            row["closed_at"] = _utc_text(closed)
            row["stage"] = "closed_won" if won else "closed_lost"
            if lost:
                row["lost_reason"] = rng.choice(LOST_REASONS)
            if won:
                self._revenue(
                    opportunity_id, closed.astimezone(LOCAL_TZ).date(), amount, "new_business"
                )
                if rng.random() < 0.25:
                    closed_on = closed.astimezone(LOCAL_TZ).date()
                    later = closed_on + timedelta(days=rng.randint(45, 150))
                    self._revenue(
                        opportunity_id,
                        later,
                        round(amount * rng.uniform(0.1, 0.4), -1),
                        "expansion",
                    )

    def build_traps(self) -> None:
        """Add what real CRMs hold and a naive count gets wrong.

        - Marketers follow up some MQLs by hand soon after the MQL: not a
          sales touch, so it must not stop the hand-off clock.
        - Self-serve sign-ups book new-business revenue with no opportunity.
        - A deal marked lost after its first invoice was booked: the line is
          counted and flagged on Data quality.
        """
        rng = self.trap_rng
        marketers = [r for r in self.world.reps if r["team"] == "marketing"]
        for lead in self.world.leads:
            if not lead["mql_at"] or rng.random() >= 0.06:
                continue
            mql_at = datetime.fromisoformat(lead["mql_at"].replace("Z", "+00:00"))
            active = [
                r
                for r in marketers
                if not r["ended_on"] or date.fromisoformat(r["ended_on"]) >= mql_at.date()
            ]
            marketer = rng.choice(active)
            self._activity(
                lead["lead_id"],
                mql_at + timedelta(minutes=rng.uniform(10, 240)),
                "email",
                marketer["rep_id"],
                automated=False,
            )
        months = sorted(
            {date.fromisoformat(r["booked_on"]).replace(day=1) for r in self.world.revenue}
        )
        for month in months[-9::3]:
            self._revenue(
                "",
                month + timedelta(days=rng.randint(0, 27)),
                round(rng.uniform(900, 2400), -1),
                "new_business",
            )
        lost = [o for o in self.world.opportunities if o["stage"] == "closed_lost"]
        if lost:
            deal = lost[len(lost) // 2]
            closed_on = datetime.fromisoformat(deal["closed_at"].replace("Z", "+00:00"))
            self._revenue(
                deal["opportunity_id"],
                (closed_on.astimezone(LOCAL_TZ) - timedelta(days=3)).date(),
                float(deal["amount"]),
                "new_business",
            )

    def build_reassignments(self) -> None:
        """Record owner changes (lead_owner_history, issue #19), from their own stream.

        - Some MQLs nobody touched were handed to another rep a week after
          the MQL (a week-long miss): the lead's current owner is the one who
          inherited it, and the miss stays with the owner at MQL time.
        - A few leads changed hands before they became MQLs: their owner at
          MQL time is their current owner.
        """
        rng = random.Random(self.rng_seed + 2)
        sales = {rep.rep_id: rep for rep in self.sales_reps}
        touched = {
            a["lead_id"]
            for a in self.world.lead_activities
            if a["is_automated"] == "false" and a["rep_id"] in sales
        }
        rows = []
        for lead in self.world.leads:
            if not lead["mql_at"] or not lead["owner_id"]:
                continue
            created = datetime.fromisoformat(lead["created_at"].replace("Z", "+00:00"))
            mql_at = datetime.fromisoformat(lead["mql_at"].replace("Z", "+00:00"))
            if lead["lead_id"] not in touched and rng.random() < 0.4:
                handed_over = mql_at + timedelta(days=8)
            elif rng.random() < 0.02:
                handed_over = created + (mql_at - created) / 2
            else:
                continue
            if handed_over >= self.extract_end:
                continue
            others = [
                r
                for r in self.sales_reps
                if r.rep_id != lead["owner_id"]
                and r.started_on <= created.astimezone(LOCAL_TZ).date()
            ]
            if not others:
                continue
            first = rng.choice(others)
            rows.append(
                {
                    "lead_id": lead["lead_id"],
                    "owner_id": first.rep_id,
                    "valid_from": lead["created_at"],
                }
            )
            rows.append(
                {
                    "lead_id": lead["lead_id"],
                    "owner_id": lead["owner_id"],
                    "valid_from": _utc_text(handed_over),
                }
            )
        self.world.lead_owner_history = rows

    def _revenue(self, opportunity_id: str, booked_on: date, amount: float, kind: str) -> None:
        if booked_on > self.as_of:
            return
        self._revenue_seq += 1
        self.world.revenue.append(
            {
                "revenue_id": f"R{self._revenue_seq:06d}",
                "opportunity_id": opportunity_id,
                "booked_on": booked_on.isoformat(),
                "amount": f"{amount:.2f}",
                "revenue_type": kind,
            }
        )

    def build(self) -> World:
        """Return the whole simulated world, extracted as of `as_of`."""
        self.build_reps()
        self.build_funnel()
        self.build_traps()
        self.build_reassignments()
        self.world.lead_activities.sort(key=lambda r: (r["occurred_at"], r["activity_id"]))
        return self.world


def write_csv(path: Path, columns: list[str], rows: Iterable[dict]) -> int:
    """Write rows to a CSV file with LF line ends; return the row count."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_demo_data(
    out_dir: Path, seed: int = DEMO_SEED, scale: float = 1.0, as_of: date = DEMO_AS_OF
) -> dict[str, int]:
    """Generate the demo raw tables into `out_dir`; return rows written per table.

    A folder that cannot be made or written is a ConfigError naming it (issue #24).
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(
            f"{out_dir}: cannot create the folder ({error.strerror or error})"
        ) from error
    world = DemoBuilder(seed, scale, as_of).build()
    counts = {}
    for table, columns in {**RAW_TABLES, **OPTIONAL_TABLES}.items():
        path = out_dir / f"{table}.csv"
        try:
            counts[table] = write_csv(path, columns, getattr(world, table))
        except OSError as error:
            raise ConfigError(f"{path}: cannot write ({error.strerror or error})") from error
    log.info("wrote demo data to %s: %s", out_dir, counts)
    return counts
