"""An independent computation of the SLA KPIs from the raw CSV files.

Plain Python over csv + zoneinfo: it imports nothing from the project and
uses none of its SQL. The business-hours clock here walks day by day and sums
overlaps with each business window, a different algorithm from the SQL's
cumulative calendar, so a bug in one is unlikely to hide in the other.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

CHANNELS = {"organic_search", "paid_search", "social", "email", "referral", "direct", "events",
            "other"}


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
    def through(self) -> date:
        return min(date.fromisoformat(self.row["ends_on"]), self.as_of)

    def local(self, moment: datetime) -> datetime:
        """Naive local wall-clock time."""
        return moment.astimezone(self.tz).replace(tzinfo=None)

    def in_window(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= self.local(moment).date() <= self.through

    def date_in_window(self, day: date) -> bool:
        return self.start <= day <= self.through

    def num(self, key: str) -> float:
        return float(self.row[key])


def business_hours(agreement: Agreement, holidays: set[date], a: datetime, b: datetime) -> float:
    """Business hours between two naive local times, day by day."""
    start_h, start_m = map(int, agreement.row["business_day_start"].split(":"))
    end_h, end_m = map(int, agreement.row["business_day_end"].split(":"))
    total = 0.0
    day = a.date()
    while day <= b.date():
        if day.weekday() < 5 and day not in holidays:
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


def compute(raw_dir: Path, reference_dir: Path, as_of: date,
            details: dict | None = None) -> dict[str, dict[str, float]]:
    """Return {agreement_id: {kpi_id: value, 'target:<kpi_id>': value}}.

    When `details` is a dict it is filled with {agreement_id: {...}}: MQLs per
    local month, overdue (untouched past deadline) lead ids per owner, and
    disqualified MQLs per reason.
    """
    leads = read_csv(raw_dir / "leads.csv")
    activities = read_csv(raw_dir / "lead_activities.csv")
    opportunities = read_csv(raw_dir / "opportunities.csv")
    revenue = read_csv(raw_dir / "revenue.csv")
    sessions = read_csv(raw_dir / "web_sessions.csv")
    holidays = {date.fromisoformat(r["holiday_date"])
                for r in read_csv(reference_dir / "holidays.csv")}
    explicit = {(r["agreement_id"], r["kpi_id"]): float(r["target"])
                for r in read_csv(reference_dir / "sla_targets.csv") if not r.get("month")}
    opportunity_by_id = {o["opportunity_id"]: o for o in opportunities}
    touches_by_lead: dict[str, list[datetime]] = {}
    for activity in activities:
        if activity["is_automated"].lower() not in ("true", "t", "1", "yes"):
            touches_by_lead.setdefault(activity["lead_id"], []).append(
                parse_utc(activity["occurred_at"]))

    results: dict[str, dict[str, float]] = {}
    for row in read_csv(reference_dir / "sla_agreements.csv"):
        a = Agreement(row, as_of)
        k: dict[str, float] = {}
        k["web_sessions"] = sum(int(s["sessions"]) for s in sessions
                                if a.date_in_window(date.fromisoformat(s["session_date"])))
        k["new_leads"] = sum(1 for lead in leads if a.in_window(parse_utc(lead["created_at"])))
        mqls = [lead for lead in leads if a.in_window(parse_utc(lead["mql_at"]))]
        k["mqls"] = len(mqls)
        k["lead_to_mql_rate"] = ratio(k["mqls"], k["new_leads"])
        k["sqls"] = sum(1 for lead in leads if a.in_window(parse_utc(lead["sql_at"])))
        k["marketing_sourced_pipeline"] = sum(
            float(o["amount"]) for o in opportunities
            if o["lead_id"] and a.in_window(parse_utc(o["created_at"])))
        new_business = [r for r in revenue if r["revenue_type"] == "new_business"
                        and a.date_in_window(date.fromisoformat(r["booked_on"]))]
        k["new_revenue"] = sum(float(r["amount"]) for r in new_business)
        k["marketing_sourced_revenue"] = sum(
            float(r["amount"]) for r in new_business
            if opportunity_by_id[r["opportunity_id"]]["lead_id"])
        k["opportunities"] = sum(1 for o in opportunities
                                 if a.in_window(parse_utc(o["created_at"])))
        k["proposals"] = sum(1 for o in opportunities
                             if a.in_window(parse_utc(o["proposal_sent_at"])))
        closed = [o for o in opportunities if o["stage"] in ("closed_won", "closed_lost")
                  and a.in_window(parse_utc(o["closed_at"]))]
        won = [o for o in closed if o["stage"] == "closed_won"]
        k["new_customers"] = len(won)
        k["win_rate"] = ratio(len(won), len(closed))
        k["average_deal_size"] = ratio(sum(float(o["amount"]) for o in won), len(won))
        k["sales_cycle_days"] = percentile_cont(
            [(a.local(parse_utc(o["closed_at"])).date()
              - a.local(parse_utc(o["created_at"])).date()).days for o in won], 0.5)

        allowance = a.num("first_touch_business_hours")
        window_days = int(row["touch_window_days"])
        attempts_needed = int(row["min_touch_attempts"])
        as_of_end = datetime.combine(as_of + timedelta(days=1), time(0))
        due = within = worked = window_closed = converted = 0
        hours_to_touch: list[float] = []
        mqls_by_month: dict[date, int] = {}
        mqls_by_channel: dict[str, int] = {}
        overdue: dict[str, set[str]] = {}
        rejected: dict[str, int] = {}
        for lead in mqls:
            mql_at = parse_utc(lead["mql_at"])
            mql_local = a.local(mql_at)
            touches = sorted(a.local(t) for t in touches_by_lead.get(lead["lead_id"], [])
                             if t >= mql_at and a.local(t) < as_of_end)
            if touches:
                hours = business_hours(a, holidays, mql_local, touches[0])
                hours_to_touch.append(hours)
                due += 1
                within += hours <= allowance
            elif business_hours(a, holidays, mql_local, as_of_end) >= allowance:
                due += 1
                overdue.setdefault(lead["owner_id"] or "unassigned", set()).add(lead["lead_id"])
            channel = lead["source"] if lead["source"] in CHANNELS else "other"
            mqls_by_channel[channel] = mqls_by_channel.get(channel, 0) + 1
            month = mql_local.date().replace(day=1)
            mqls_by_month[month] = mqls_by_month.get(month, 0) + 1
            disqualified_at = parse_utc(lead["disqualified_at"])
            if disqualified_at is not None and a.local(disqualified_at).date() <= as_of:
                reason = lead["disqualified_reason"] or "no reason given"
                rejected[reason] = rejected.get(reason, 0) + 1
            window_end = mql_local + timedelta(days=window_days)
            if window_end <= as_of_end:
                window_closed += 1
                worked += sum(1 for t in touches if t <= window_end) >= attempts_needed
            sql_at = parse_utc(lead["sql_at"])
            converted += sql_at is not None and a.local(sql_at).date() <= as_of
        k["first_touch_within_sla_rate"] = ratio(within, due)
        k["median_first_touch_business_hours"] = percentile_cont(hours_to_touch, 0.5)
        k["p90_first_touch_business_hours"] = percentile_cont(hours_to_touch, 0.9)
        k["mqls_worked_rate"] = ratio(worked, window_closed)
        k["mql_to_sql_rate"] = ratio(converted, len(mqls))

        # Targets: explicit rows win, else the reverse funnel from the goal.
        customers = math.ceil(a.num("revenue_goal") / a.num("average_deal_size"))
        proposals = math.ceil(customers / a.num("proposal_to_win"))
        opportunities_needed = math.ceil(proposals / a.num("opportunity_to_proposal"))
        sqls = math.ceil(opportunities_needed / a.num("sql_to_opportunity"))
        mqls_needed = math.ceil(sqls / a.num("mql_to_sql"))
        leads_needed = math.ceil(mqls_needed / a.num("lead_to_mql"))
        derived = {
            "new_revenue": a.num("revenue_goal"),
            "marketing_sourced_revenue": a.num("revenue_goal") * a.num("marketing_revenue_share"),
            "new_customers": customers, "proposals": proposals,
            "opportunities": opportunities_needed, "sqls": sqls, "mqls": mqls_needed,
            "new_leads": leads_needed,
            "web_sessions": math.ceil(leads_needed / a.num("visit_to_lead")),
        }
        agreement_id = row["agreement_id"]
        if details is not None:
            details[agreement_id] = {"mqls_by_month": mqls_by_month, "overdue": overdue,
                                     "mqls_by_channel": mqls_by_channel,
                                     "rejected": rejected}
        for kpi_id, value in derived.items():
            k[f"target:{kpi_id}"] = explicit.get((agreement_id, kpi_id), value)
        for (target_agreement, kpi_id), value in explicit.items():
            if target_agreement == agreement_id:
                k[f"target:{kpi_id}"] = value
        results[agreement_id] = k
    return results
