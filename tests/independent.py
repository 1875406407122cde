"""An independent computation of the SLA KPIs from the raw CSV files.

Plain Python over csv + zoneinfo: it imports nothing from the project and
uses none of its SQL. The business-hours clock here walks day by day and sums
overlaps with each business window, a different algorithm from the SQL's
cumulative calendar, so a bug in one is unlikely to hide in the other.

The rules are written from the issues' words (issue #7 for the definitions,
targets, pace and status; issue #19 for attribution, the owner at MQL time,
"no data" for rates true by construction, maturing cohorts, provisional
closed periods, "worked or settled" and the funnel at actual rates), not
from the models.
"""

from __future__ import annotations

import calendar
import copy
import csv
import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

CHANNELS = {
    "organic_search",
    "paid_search",
    "social",
    "email",
    "referral",
    "direct",
    "events",
    "other",
}
# Volumes are paced; everything else (rates, percentiles, averages) is compared as is.
VOLUMES = {
    "web_sessions",
    "new_leads",
    "mqls",
    "marketing_sourced_pipeline",
    "marketing_sourced_revenue",
    "sqls",
    "opportunities",
    "proposals",
    "new_customers",
    "marketing_sourced_customers",
    "new_revenue",
}
LOWER_IS_BETTER = {
    "median_first_touch_business_hours",
    "p90_first_touch_business_hours",
    "sales_cycle_days",
}
# Issue #19: "an opportunity is marketing-sourced when its lead had become an
# MQL at or before the opportunity was created" (the default), or "the lead's
# channel is one of a listed set", or (the old rule) "it has any lead".
ATTRIBUTION = "mql_before_opportunity"
# The two cohort rates: a window none of whose cohort has matured "shows the
# value so far with status maturing"; a closed period's are provisional.
COHORT_RATES = ("lead_to_mql_rate", "mql_to_sql_rate")
DEFAULT_CONVERSION_WINDOW_DAYS = 30
DEFAULT_MIN_SAMPLE = 20
ON_TRACK, AT_RISK = 1.0, 0.9


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def parse_utc(text: str) -> datetime | None:
    """Parse ISO 8601; no offset means UTC."""
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass
class Agreement:
    row: dict
    as_of: date

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.row["timezone"])

    @property
    def start(self) -> date:
        return date.fromisoformat(self.row["starts_on"])

    @property
    def end(self) -> date:
        return date.fromisoformat(self.row["ends_on"])

    @property
    def through(self) -> date:
        return min(self.end, self.as_of)

    @property
    def state(self) -> str:
        if self.as_of >= self.end:
            return "final"
        return "in_progress" if self.as_of >= self.start else "upcoming"

    def setting(self, key: str, default: int) -> int:
        return int(self.row.get(key) or default)

    def local(self, moment: datetime) -> datetime:
        """Naive local wall-clock time."""
        return moment.astimezone(self.tz).replace(tzinfo=None)

    def local_day(self, moment: datetime | None) -> date | None:
        return None if moment is None else self.local(moment).date()

    def in_window(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= self.local(moment).date() <= self.through

    def date_in_window(self, day: date) -> bool:
        return self.start <= day <= self.through

    def num(self, key: str) -> float:
        return float(self.row[key])


def is_business_day(day: date, holidays: set[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def business_hours(agreement: Agreement, holidays: set[date], a: datetime, b: datetime) -> float:
    """Business hours between two naive local times, day by day."""
    start_h, start_m = map(int, agreement.row["business_day_start"].split(":"))
    end_h, end_m = map(int, agreement.row["business_day_end"].split(":"))
    total = 0.0
    day = a.date()
    while day <= b.date():
        if is_business_day(day, holidays):
            window_start = datetime.combine(day, time(start_h, start_m))
            window_end = datetime.combine(day, time(end_h, end_m))
            overlap = (min(b, window_end) - max(a, window_start)).total_seconds()
            total += max(overlap, 0.0)
        day += timedelta(days=1)
    return total / 3600


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def percentile_cont(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def cohort_rate(
    members: list[tuple[date, bool]], cutoff: date, window_days: int
) -> tuple[float | None, int, date | None]:
    """Return a cohort rate, the cases it is over, and the day it matures if not matured.

    members are (local date, converted by as-of). "Only leads (MQLs) at least
    conversion_window_days old count"; when none is, "show the value so far"
    over every member, maturing on the youngest's date + the window (issue #19).
    """
    matured = [converted for day, converted in members if day <= cutoff]
    if matured or not members:
        return ratio(sum(matured), len(matured)), len(matured), None
    youngest = max(day for day, _ in members)
    return (
        ratio(sum(converted for _, converted in members), len(members)),
        len(members),
        youngest + timedelta(days=window_days),
    )


def amount_sum(opportunities: list[dict]) -> float | None:
    """Return the sum of the known amounts; None when every one is unknown (not $0)."""
    amounts = [float(o["amount"]) for o in opportunities if o["amount"]]
    if opportunities and not amounts:
        return None
    return sum(amounts)


def funnel_at_actual_rates(a: Agreement, k: dict) -> dict[str, int]:
    """Return the volumes each stage needs for the goal at the rates actually achieved.

    Issue #19: "the volumes marketing and sales would need to reach the goal
    at the rates they actually convert": marketing's revenue at the actual
    average deal size, then each earlier stage over its actual conversion
    (the cohort rates for lead to MQL and MQL to SQL), rounded up like the plan.
    """
    rates = {
        "marketing_sourced_customers": ratio(k["marketing_sourced_customers"], k["proposals"]),
        "proposals": ratio(k["proposals"], k["opportunities"]),
        "opportunities": ratio(k["opportunities"], k["sqls"]),
        "sqls": k["mql_to_sql_rate"],
        "mqls": k["lead_to_mql_rate"],
        "new_leads": ratio(k["new_leads"], k["web_sessions"]),
    }
    needed: dict[str, int] = {}
    if not k["average_deal_size"]:
        return needed  # a stage without an actual rate leaves every earlier one unknown
    needed["marketing_sourced_customers"] = clean_ceiling(
        a.num("revenue_goal") * a.num("marketing_revenue_share") / k["average_deal_size"]
    )
    previous = "marketing_sourced_customers"
    for stage in ("proposals", "opportunities", "sqls", "mqls", "new_leads", "web_sessions"):
        if not rates[previous]:
            break
        needed[stage] = clean_ceiling(needed[previous] / rates[previous])
        previous = stage
    return needed


def clean_ceiling(value: float) -> int:
    """ceil() after rounding to 6 decimals: 21 / 0.7 is 30, not 31 (issue #7)."""
    return math.ceil(round(value, 6))


def between(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment <= end


@dataclass
class Month:
    start: date
    days: int
    business_days: int
    elapsed: int

    @property
    def state(self) -> str:
        if self.elapsed == self.days:
            return "finished"
        return "current" if self.elapsed else "upcoming"


def months_of(agreement: Agreement, holidays: set[date]) -> list[Month]:
    """The calendar months of the period, clipped to it, with days elapsed at as-of."""
    months = []
    first = agreement.start
    while first <= agreement.end:
        last = min(
            date(first.year, first.month, calendar.monthrange(first.year, first.month)[1]),
            agreement.end,
        )
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        months.append(
            Month(
                first.replace(day=1),
                len(days),
                sum(is_business_day(d, holidays) for d in days),
                sum(d <= agreement.as_of for d in days),
            )
        )
        first = last + timedelta(days=1)
    return months


def month_targets(
    months: list[Month], period_target: float, explicit: dict[date, float]
) -> dict[date, float]:
    """Phase a volume's target: explicit months win, the rest by business days."""
    left = period_target - sum(v for m, v in explicit.items() if m in {x.start for x in months})
    open_months = [m for m in months if m.start not in explicit]
    weights = {m.start: m.business_days for m in open_months}
    if not sum(weights.values()):
        weights = {m.start: m.days for m in open_months}
    total = sum(weights.values())
    return {
        m.start: explicit[m.start] if m.start in explicit else left * weights[m.start] / total
        for m in months
    }


def status_of(
    kpi_id: str,
    actual: float | None,
    target: float | None,
    expected: float | None,
    window_state: str,
    sample: float | None,
    min_sample: int,
    reason: str | None = None,
    maturing: bool = False,
) -> str:
    """The status rules of issue #7, first match wins; issue #19 adds that a rate "whose
    denominator cannot differ from its numerator in this data" is no data with its
    reason, and that "not matured yet" is maturing, not no data."""
    if window_state == "upcoming":
        return "not_started"
    if reason:
        return "no_data"
    if maturing:
        return "maturing"
    if target is None:
        return "no_target"
    if actual is None:
        return "no_data"
    if sample is not None and sample < min_sample:
        return "too_few"
    lower = kpi_id in LOWER_IS_BETTER

    def attainment(reference: float) -> float:
        if lower:
            return 1e9 if actual == 0 else reference / actual
        return 1e9 if reference == 0 else actual / reference

    if window_state == "final":
        return "met" if attainment(target) >= 1 else "missed"
    if kpi_id in VOLUMES and not lower and actual >= target:
        return "met"
    value = attainment(expected)
    return "on_track" if value >= ON_TRACK else "at_risk" if value >= AT_RISK else "behind"


def owners_at_mql(leads: list[dict], history: list[dict]) -> dict[str, str]:
    """Return lead id -> who owned the lead when it became an MQL (issue #19).

    "Use the owner at mql_at" from the owner history (a row without a date
    counts since the lead was created); "without history, the current owner".
    """
    rows: dict[str, list[tuple[datetime | None, str]]] = {}
    for row in history:
        rows.setdefault(row["lead_id"], []).append((parse_utc(row["valid_from"]), row["owner_id"]))
    owners = {}
    for lead in leads:
        mql_at = parse_utc(lead["mql_at"])
        owner = lead["owner_id"]
        if mql_at is not None and lead["lead_id"] in rows:
            known = [
                (moment, who)
                for moment, who in rows[lead["lead_id"]]
                if moment is None or moment <= mql_at
            ]
            if known:
                # The latest change at or before the MQL; "since created" is the earliest.
                owner = max(known, key=lambda r: (r[0] is not None, r[0] or mql_at))[1]
        owners[lead["lead_id"]] = owner
    return owners


def is_marketing_sourced(
    opportunity: dict, lead: dict | None, rule: str = ATTRIBUTION, channels: tuple[str, ...] = ()
) -> bool:
    """Return whether marketing sourced the opportunity, under the rule in force."""
    if lead is None:
        return False
    if rule == "any_lead":
        return True
    if rule == "original_source":
        return (lead["source"] if lead["source"] in CHANNELS else "other") in channels
    mql_at, created = parse_utc(lead["mql_at"]), parse_utc(opportunity["created_at"])
    return mql_at is not None and created is not None and mql_at <= created


# (content of the input files, as_of, attribution, channels) -> (values, details):
# a dozen test modules ask for the demo's figures; computed once per process.
_COMPUTED: dict[tuple, tuple[dict, dict]] = {}


def _contents(folder: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(folder.glob("*.csv")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def compute(
    raw_dir: Path,
    reference_dir: Path,
    as_of: date,
    details: dict | None = None,
    attribution: str = ATTRIBUTION,
    channels: tuple[str, ...] = (),
) -> dict[str, dict[str, float]]:
    """Return {agreement_id: {kpi_id: value, 'target:<kpi_id>': value}}; see _compute.

    The same files (by content, not name) and arguments give the same
    figures: they are computed once and each caller gets its own copy.
    """
    key = (_contents(raw_dir), _contents(reference_dir), as_of, attribution, tuple(channels))
    if key not in _COMPUTED:
        found: dict = {}
        _COMPUTED[key] = (
            _compute(raw_dir, reference_dir, as_of, found, attribution, channels),
            found,
        )
    values, found = copy.deepcopy(_COMPUTED[key])
    if details is not None:
        details.update(found)
    return values


def _compute(
    raw_dir: Path,
    reference_dir: Path,
    as_of: date,
    details: dict | None = None,
    attribution: str = ATTRIBUTION,
    channels: tuple[str, ...] = (),
) -> dict[str, dict[str, float]]:
    """Return {agreement_id: {kpi_id: value, 'target:<kpi_id>': value}}.

    When `details` is a dict it is filled with {agreement_id: {...}}: MQLs per
    local month, overdue (untouched past deadline) lead ids per owner,
    disqualified MQLs per reason, MQLs per channel, and for every KPI its
    sample size, pace to date, status, month targets and what each open month
    still needs.
    """
    leads = read_csv(raw_dir / "leads.csv")
    lead_by_id = {lead["lead_id"]: lead for lead in leads}
    history = (
        read_csv(raw_dir / "lead_owner_history.csv")
        if (raw_dir / "lead_owner_history.csv").is_file()
        else []
    )
    owner_at_mql = owners_at_mql(leads, history)
    activities = read_csv(raw_dir / "lead_activities.csv")
    opportunities = read_csv(raw_dir / "opportunities.csv")
    revenue = read_csv(raw_dir / "revenue.csv")
    sessions = read_csv(raw_dir / "web_sessions.csv")
    sales_reps = {r["rep_id"] for r in read_csv(raw_dir / "reps.csv") if r["team"] == "sales"}
    holidays = {
        date.fromisoformat(r["holiday_date"]) for r in read_csv(reference_dir / "holidays.csv")
    }
    target_rows = read_csv(reference_dir / "sla_targets.csv")
    explicit = {
        (r["agreement_id"], r["kpi_id"]): float(r["target"])
        for r in target_rows
        if not r.get("month")
    }
    explicit_months: dict[tuple[str, str], dict[date, float]] = {}
    for r in target_rows:
        if r.get("month"):
            explicit_months.setdefault((r["agreement_id"], r["kpi_id"]), {})[
                date.fromisoformat(r["month"])
            ] = float(r["target"])
    marketing = {
        o["opportunity_id"]
        for o in opportunities
        if is_marketing_sourced(o, lead_by_id.get(o["lead_id"]), attribution, channels)
    }
    # Issue #19, true by construction: "no lead that is not an MQL, no lost
    # deal recorded at all" in the data.
    only_mqls = all(lead["mql_at"] for lead in leads)
    no_lost_deals = not any(o["stage"] == "closed_lost" for o in opportunities)
    no_amounts = not any(o["amount"] for o in opportunities)
    # A touch is an outbound touch by sales: non-automated, by a rep of the sales team.
    touches_by_lead: dict[str, list[datetime]] = {}
    for activity in activities:
        if (
            activity["is_automated"].lower() not in ("true", "t", "1", "yes")
            and activity["rep_id"] in sales_reps
        ):
            touches_by_lead.setdefault(activity["lead_id"], []).append(
                parse_utc(activity["occurred_at"])
            )

    results: dict[str, dict[str, float]] = {}
    for row in read_csv(reference_dir / "sla_agreements.csv"):
        a = Agreement(row, as_of)
        cohort_cutoff = as_of - timedelta(
            days=a.setting("conversion_window_days", DEFAULT_CONVERSION_WINDOW_DAYS)
        )
        k: dict[str, float] = {}
        samples: dict[str, float] = {}
        all_sources: dict[str, float] = {}
        sales_sourced: dict[str, float] = {}
        reasons: dict[str, str] = {}
        matures_on: dict[str, date] = {}
        k["web_sessions"] = sum(
            int(s["sessions"])
            for s in sessions
            if a.date_in_window(date.fromisoformat(s["session_date"]))
        )
        period_leads = [lead for lead in leads if a.in_window(parse_utc(lead["created_at"]))]
        k["new_leads"] = len(period_leads)
        mqls = [lead for lead in leads if a.in_window(parse_utc(lead["mql_at"]))]
        k["mqls"] = len(mqls)
        # Matured lead cohort: created at least conversion_window_days before as-of.
        window = a.setting("conversion_window_days", DEFAULT_CONVERSION_WINDOW_DAYS)
        k["lead_to_mql_rate"], samples["lead_to_mql_rate"], when = cohort_rate(
            [
                (
                    a.local_day(parse_utc(lead["created_at"])),
                    bool(lead["mql_at"]) and a.local_day(parse_utc(lead["mql_at"])) <= as_of,
                )
                for lead in period_leads
            ],
            cohort_cutoff,
            window,
        )
        if when:
            matures_on["lead_to_mql_rate"] = when
        if only_mqls:
            k["lead_to_mql_rate"] = None
            reasons["lead_to_mql_rate"] = "the data holds only MQLs"
        k["sqls"] = sum(1 for lead in leads if a.in_window(parse_utc(lead["sql_at"])))
        created = [o for o in opportunities if a.in_window(parse_utc(o["created_at"]))]
        pipeline = [o for o in created if o["opportunity_id"] in marketing]
        k["marketing_sourced_pipeline"] = amount_sum(pipeline)
        all_sources["marketing_sourced_pipeline"] = amount_sum(created)
        sales_sourced["marketing_sourced_pipeline"] = amount_sum(
            [o for o in created if o["opportunity_id"] not in marketing]
        )
        if no_amounts:
            reasons["marketing_sourced_pipeline"] = "no deal amounts recorded"
            k["marketing_sourced_pipeline"] = None
            all_sources["marketing_sourced_pipeline"] = None
            sales_sourced["marketing_sourced_pipeline"] = None
        new_business = [
            r
            for r in revenue
            if r["revenue_type"] == "new_business"
            and a.date_in_window(date.fromisoformat(r["booked_on"]))
        ]
        # Booked lines by booking date, whatever the opportunity's stage, with or without one.
        k["new_revenue"] = sum(float(r["amount"]) for r in new_business)
        k["marketing_sourced_revenue"] = sum(
            float(r["amount"])
            for r in new_business
            if r["opportunity_id"] and r["opportunity_id"] in marketing
        )
        all_sources["marketing_sourced_revenue"] = k["new_revenue"]
        sales_sourced["marketing_sourced_revenue"] = (
            k["new_revenue"] - k["marketing_sourced_revenue"]
        )
        k["opportunities"] = sum(1 for o in created if o["opportunity_id"] in marketing)
        all_sources["opportunities"] = len(created)
        sales_sourced["opportunities"] = len(created) - k["opportunities"]
        proposed = [o for o in opportunities if a.in_window(parse_utc(o["proposal_sent_at"]))]
        k["proposals"] = sum(1 for o in proposed if o["opportunity_id"] in marketing)
        all_sources["proposals"] = len(proposed)
        sales_sourced["proposals"] = len(proposed) - k["proposals"]
        closed = [
            o
            for o in opportunities
            if o["stage"] in ("closed_won", "closed_lost")
            and a.in_window(parse_utc(o["closed_at"]))
        ]
        won = [o for o in closed if o["stage"] == "closed_won"]
        k["new_customers"] = len(won)
        k["marketing_sourced_customers"] = sum(1 for o in won if o["opportunity_id"] in marketing)
        all_sources["marketing_sourced_customers"] = len(won)
        sales_sourced["marketing_sourced_customers"] = len(won) - k["marketing_sourced_customers"]
        k["win_rate"] = None if no_lost_deals else ratio(len(won), len(closed))
        if no_lost_deals:
            reasons["win_rate"] = "no lost deals recorded"
        samples["win_rate"] = len(closed)
        with_amount = [float(o["amount"]) for o in won if o["amount"]]
        k["average_deal_size"] = ratio(sum(with_amount), len(with_amount))
        samples["average_deal_size"] = len(with_amount)
        if no_amounts:
            reasons["average_deal_size"] = "no deal amounts recorded"
        k["sales_cycle_days"] = percentile_cont(
            [
                (
                    a.local(parse_utc(o["closed_at"])).date()
                    - a.local(parse_utc(o["created_at"])).date()
                ).days
                for o in won
            ],
            0.5,
        )
        samples["sales_cycle_days"] = len(won)

        allowance = a.num("first_touch_business_hours")
        window_days = int(row["touch_window_days"])
        attempts_needed = int(row["min_touch_attempts"])
        as_of_end = datetime.combine(as_of + timedelta(days=1), time(0))
        due = within = worked = worked_by_attempts = dispositioned = window_closed = 0
        hours_waited: list[float] = []
        mql_cohort: list[tuple[date, bool]] = []
        mql_cohort_by_month: dict[date, list[tuple[date, bool]]] = {}
        mqls_by_month: dict[date, int] = {}
        mqls_by_channel: dict[str, int] = {}
        overdue: dict[str, set[str]] = {}
        rejected: dict[str, int] = {}
        for lead in mqls:
            mql_at = parse_utc(lead["mql_at"])
            mql_local = a.local(mql_at)
            touches = sorted(
                a.local(t)
                for t in touches_by_lead.get(lead["lead_id"], [])
                if t >= mql_at and a.local(t) < as_of_end
            )
            if touches:
                hours = business_hours(a, holidays, mql_local, touches[0])
                hours_waited.append(hours)
                due += 1
                within += hours <= allowance
            else:
                waited = business_hours(a, holidays, mql_local, as_of_end)
                if waited >= allowance:
                    # Due and untouched: in the percentiles at its wait so far.
                    hours_waited.append(waited)
                    due += 1
                    # A breach belongs to whoever owned the lead at its MQL (issue #19).
                    overdue.setdefault(owner_at_mql[lead["lead_id"]] or "unassigned", set()).add(
                        lead["lead_id"]
                    )
            channel = lead["source"] if lead["source"] in CHANNELS else "other"
            mqls_by_channel[channel] = mqls_by_channel.get(channel, 0) + 1
            month = mql_local.date().replace(day=1)
            mqls_by_month[month] = mqls_by_month.get(month, 0) + 1
            disqualified_at = parse_utc(lead["disqualified_at"])
            if disqualified_at is not None and a.local(disqualified_at).date() <= as_of:
                reason = lead["disqualified_reason"] or "no reason given"
                rejected[reason] = rejected.get(reason, 0) + 1
            window_end = mql_local + timedelta(days=window_days)
            sql_at = parse_utc(lead["sql_at"])
            sql_local = a.local(sql_at) if sql_at else None
            disqualified_local = a.local(disqualified_at) if disqualified_at else None
            sal_at = parse_utc(lead["sal_at"])
            sal_local = a.local(sal_at) if sal_at else None
            if window_end <= as_of_end:
                window_closed += 1
                settled = between(sql_local, mql_local, window_end) or between(
                    disqualified_local, mql_local, window_end
                )
                attempts = sum(1 for t in touches if t <= window_end)
                worked += attempts >= attempts_needed or settled
                # "worked or settled", with the split: the attempts, or settled early.
                worked_by_attempts += attempts >= attempts_needed
                dispositioned += (
                    between(sal_local, mql_local, window_end)
                    or between(sql_local, mql_local, window_end)
                    or (
                        between(disqualified_local, mql_local, window_end)
                        and bool(lead["disqualified_reason"])
                    )
                )
            member = (mql_local.date(), sql_local is not None and sql_local.date() <= as_of)
            mql_cohort.append(member)
            mql_cohort_by_month.setdefault(month, []).append(member)
        k["first_touch_within_sla_rate"] = ratio(within, due)
        k["median_first_touch_business_hours"] = percentile_cont(hours_waited, 0.5)
        k["p90_first_touch_business_hours"] = percentile_cont(hours_waited, 0.9)
        k["mqls_worked_rate"] = ratio(worked, window_closed)
        k["mqls_dispositioned_rate"] = ratio(dispositioned, window_closed)
        k["mql_to_sql_rate"], samples["mql_to_sql_rate"], when = cohort_rate(
            mql_cohort, cohort_cutoff, window
        )
        if when:
            matures_on["mql_to_sql_rate"] = when
        for kpi_id in (
            "first_touch_within_sla_rate",
            "median_first_touch_business_hours",
            "p90_first_touch_business_hours",
        ):
            samples[kpi_id] = due
        samples["mqls_worked_rate"] = samples["mqls_dispositioned_rate"] = window_closed

        # Targets: explicit rows win, else the reverse funnel from the goal. The
        # company's customers come from the whole goal; marketing's funnel
        # chains from marketing's share of it.
        goal, deal = a.num("revenue_goal"), a.num("average_deal_size")
        customers = clean_ceiling(goal / deal)
        marketing_customers = clean_ceiling(goal * a.num("marketing_revenue_share") / deal)
        proposals = clean_ceiling(marketing_customers / a.num("proposal_to_win"))
        opportunities_needed = clean_ceiling(proposals / a.num("opportunity_to_proposal"))
        sqls = clean_ceiling(opportunities_needed / a.num("sql_to_opportunity"))
        mqls_needed = clean_ceiling(sqls / a.num("mql_to_sql"))
        leads_needed = clean_ceiling(mqls_needed / a.num("lead_to_mql"))
        derived = {
            "new_revenue": goal,
            "marketing_sourced_revenue": goal * a.num("marketing_revenue_share"),
            "new_customers": customers,
            "marketing_sourced_customers": marketing_customers,
            "proposals": proposals,
            "opportunities": opportunities_needed,
            "sqls": sqls,
            "mqls": mqls_needed,
            "new_leads": leads_needed,
            "web_sessions": clean_ceiling(leads_needed / a.num("visit_to_lead")),
            "average_deal_size": deal,
            "lead_to_mql_rate": a.num("lead_to_mql"),
            "mql_to_sql_rate": a.num("mql_to_sql"),
        }
        agreement_id = row["agreement_id"]
        targets = {
            kpi_id: explicit.get((agreement_id, kpi_id), value) for kpi_id, value in derived.items()
        }
        targets.update(
            {kpi_id: value for (owner, kpi_id), value in explicit.items() if owner == agreement_id}
        )
        for kpi_id, value in targets.items():
            k[f"target:{kpi_id}"] = value

        # One pace curve: finished months' targets + the current month's target
        # x elapsed days / its days, months phased by business days.
        months = months_of(a, holidays)
        min_sample = a.setting("min_sample", DEFAULT_MIN_SAMPLE)
        phased, expected, status, still_needed = {}, {}, {}, {}
        for kpi_id in (x for x in k if not x.startswith("target:")):
            target = targets.get(kpi_id)
            if kpi_id in VOLUMES and target is not None:
                phased[kpi_id] = month_targets(
                    months, target, explicit_months.get((agreement_id, kpi_id), {})
                )
                expected[kpi_id] = sum(phased[kpi_id][m.start] * m.elapsed / m.days for m in months)
                plan_left = {
                    m.start: phased[kpi_id][m.start] * (m.days - m.elapsed) / m.days
                    for m in months
                    if m.state != "finished"
                }
                short = max(target - (k[kpi_id] or 0), 0)
                if (
                    a.state == "in_progress"
                    and sum(plan_left.values()) > 0
                    and kpi_id not in reasons
                ):
                    still_needed[kpi_id] = {
                        month: short * left / sum(plan_left.values())
                        for month, left in plan_left.items()
                    }
            else:
                expected[kpi_id] = target
            status[kpi_id] = status_of(
                kpi_id,
                k[kpi_id],
                target,
                expected[kpi_id],
                a.state,
                samples.get(kpi_id),
                min_sample,
                reasons.get(kpi_id),
                kpi_id in matures_on,
            )
        # "A closed period's cohort KPIs stay provisional ... until
        # conversion_window_days after the period ends" (issue #19).
        final_on = a.end + timedelta(days=window)
        provisional = {
            kpi_id: final_on for kpi_id in COHORT_RATES if a.state == "final" and final_on > as_of
        }
        if details is not None:
            details[agreement_id] = {
                "mqls_by_month": mqls_by_month,
                "overdue": overdue,
                "mqls_by_channel": mqls_by_channel,
                "rejected": rejected,
                "samples": samples,
                "all_sources": all_sources,
                "expected": expected,
                "status": status,
                "month_targets": phased,
                "still_needed": still_needed,
                "lower_bound": any(True for lead_set in overdue.values() if lead_set),
                "sales_sourced": sales_sourced,
                "reasons": reasons,
                "matures_on": matures_on,
                "provisional_until": provisional,
                "worked_split": (worked_by_attempts, worked - worked_by_attempts),
                "mql_to_sql_by_month": {
                    m: cohort_rate(members, cohort_cutoff, window)
                    for m, members in mql_cohort_by_month.items()
                },
                "needed_at_actual_rates": funnel_at_actual_rates(a, k),
            }
        results[agreement_id] = k
    return results
