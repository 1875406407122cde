"""Honest "no data": KPIs whose raw tables the team does not have (issue #9).

A raw table with no rows, or declared unavailable in crm_source.yml, is a
system the team does not have (no activity logging, no web analytics, no
revenue ledger). Measuring against it gives accusations, not numbers: "0% of
MQLs touched", every MQL overdue, "web sessions 0, behind". So every KPI
that depends on such a table, as dbt's graph says (KpiDefinition.raw_tables:
the sources behind the KPI's own column), is null with status `no_data` and
a reason ("needs lead activities") in every report row the site and
summary.json read: scorecard, months, weeks, funnel, revenue pace, channels,
reps and the agreement's status counts. The hand-off clock cannot run
without activities, so overdue lists are emptied and say so.

This is the one place that applies it, right after the report models are
read, so every page, chart, agreement text and JSON file agrees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from generator.i18n import N_
from generator.kpis import KpiDefinition
from generator.sources import COLUMN_NOUNS, FEED_NOUNS, SOURCE_TABLES, Table

# Tables without which a feed is unavailable even if its other tables have
# rows (HubSpot: engagements without their type or contacts link nothing).
ESSENTIAL = {"engagement", "engagement_contact", "deal", "deal_pipeline_stage"}

NO_DATA = "no_data"
# Scorecard columns that are measurements (nulled); target and terms stay.
_MEASURED = ("actual", "expected_to_date", "projected", "gap_to_expected",
             "needed_rest_of_period", "needed_this_month", "sample_size", "actual_all_sources")
_MONTH_MEASURED = ("actual", "sample_size", "expected_to_date", "cumulative_actual",
                   "cumulative_expected", "still_needed", "attainment")
_STATUS_COUNTS = {"on_track": "kpis_on_track", "at_risk": "kpis_at_risk",
                  "behind": "kpis_behind", "met": "kpis_met", "missed": "kpis_missed",
                  "too_few": "kpis_too_few", "no_data": "kpis_no_data"}
# Report columns that are measurements of a KPI under another name.
_ALIASES = {"first_touch_within_sla_rate": ("mqls_touched_within_sla",),
            "marketing_sourced_pipeline": ("pipeline",)}
_REP_HANDOFF = ("mqls_due_for_first_touch", "mqls_touched_within_sla",
                "first_touch_within_sla_rate", "median_first_touch_business_hours",
                "mqls_untouched_past_deadline", "mqls_touch_window_closed", "mqls_worked",
                "mqls_worked_rate")


HANDOFF_REASON = N_("The hand-off clock cannot run without lead activities (%(why)s): no MQL "
                    "is listed as overdue and no touch rate is shown.")


@dataclass(frozen=True)
class Availability:
    """Which inputs the team lacks, and what that makes of each KPI."""

    missing_feeds: dict[str, str]
    """Contract table (leads, lead_activities, ...) -> why it is unavailable."""
    no_data: dict[str, str]
    """KPI id -> the reason it has no data ("needs lead activities")."""

    @property
    def handoff_reason(self) -> str:
        """Return why the hand-off clock cannot run ('' when it can)."""
        return self.localized_handoff_reason(lambda message: message)

    def localized_handoff_reason(self, gettext=None) -> str:
        """Return why the hand-off clock cannot run, in the site's language (issue #14)."""
        if "lead_activities" not in self.missing_feeds:
            return ""
        if gettext is None:
            from generator.i18n import gettext
        return gettext(HANDOFF_REASON) % {"why": self.missing_feeds["lead_activities"]}


def missing_feeds(source: str, unavailable: dict[str, str]) -> dict[str, str]:
    """Return contract table -> why, for the feeds the unavailable raw tables leave empty."""
    by_feed: dict[str, list[Table]] = {}
    for table in SOURCE_TABLES.get(source, SOURCE_TABLES["contract"]):
        by_feed.setdefault(table.feeds, []).append(table)
    missing: dict[str, str] = {}
    for feed, tables in by_feed.items():
        down = [table for table in tables if table.name in unavailable]
        essential = [table for table in down if table.name in ESSENTIAL]
        if essential or (down and len(down) == len(tables)):
            missing[feed] = "; ".join(f"{table.name}: {unavailable[table.name]}"
                                      for table in (essential or down))
    return missing


def assess(definitions: list[KpiDefinition], source: str,
           unavailable: dict[str, str]) -> Availability:
    """Return which KPIs have no data, from each KPI's raw tables in the dbt graph."""
    feeds = missing_feeds(source, unavailable)
    feed_of = {table.name: table.feeds
               for table in SOURCE_TABLES.get(source, SOURCE_TABLES["contract"])}
    columns = sorted(name.partition(".")[2] for name in unavailable if "." in name)
    no_data: dict[str, str] = {}
    for definition in definitions:
        needed = [FEED_NOUNS.get(feed, feed) for feed in sorted(
            {feed_of.get(name.split(".")[-1], name.split(".")[-1])
             for name in definition.raw_tables} & set(feeds))]
        # A column the team lacks (leads.sql_at): the KPIs whose own SQL reads
        # it (the excerpt on the definitions page) have no data.
        sql = definition.sql_excerpt or definition.compiled_sql
        needed += [COLUMN_NOUNS[column] for column in columns
                   if re.search(rf"\b{column}\b", sql)]
        if needed:
            no_data[definition.kpi_id] = "needs " + " and ".join(needed)
    return Availability(feeds, no_data)


def apply(data, availability: Availability):
    """Return the report data with every no-data KPI null and `no_data` everywhere."""
    no_data = availability.no_data
    if not no_data and not availability.handoff_reason:
        return data
    scorecard = [_scorecard_row(row, no_data) for row in data.scorecard]
    monthly = [_month_row(row, no_data) for row in data.monthly]
    columns = set(no_data) | {alias for kpi in no_data for alias in _ALIASES.get(kpi, ())}
    weekly = [_nulled(row, columns) for row in data.weekly]
    channels = [_nulled(row, columns) for row in data.channels]
    funnel = _funnel(data.funnel, no_data)
    revenue_pace = data.revenue_pace
    if "new_revenue" in no_data:
        revenue_pace = [{**row, "booked_revenue": None, "cumulative_revenue": None}
                        for row in data.revenue_pace]
    reps, overdue = data.reps, data.overdue
    if availability.handoff_reason:
        reps = [_nulled(row, set(_REP_HANDOFF)) for row in data.reps]
        overdue = []
    lead_velocity = data.lead_velocity
    if "mqls" in no_data:
        lead_velocity = [_nulled(row, {"mqls", "previous_month_mqls", "lead_velocity_rate"})
                         for row in data.lead_velocity]
    agreements = [_recounted(agreement, scorecard, no_data) for agreement in data.agreements]
    return replace(data, scorecard=scorecard, monthly=monthly, weekly=weekly,
                   channels=channels, funnel=funnel, revenue_pace=revenue_pace, reps=reps,
                   overdue=overdue, lead_velocity=lead_velocity, agreements=agreements)


def _scorecard_row(row: dict, no_data: dict[str, str]) -> dict:
    reason = no_data.get(row["kpi_id"])
    if reason is None:
        return row
    return {**row, **dict.fromkeys(_MEASURED), "status": NO_DATA, "is_target_met": False,
            "is_lower_bound": False, "no_data_reason": reason}


def _month_row(row: dict, no_data: dict[str, str]) -> dict:
    if row["kpi_id"] not in no_data:
        return row
    return {**row, **dict.fromkeys(_MONTH_MEASURED), "status": NO_DATA}


def _nulled(row: dict, columns: set[str]) -> dict:
    return {key: (None if key in columns else value) for key, value in row.items()}


def _funnel(rows: list[dict], no_data: dict[str, str]) -> list[dict]:
    """Return funnel rows with no-data stages null, and the rates next to them."""
    out, previous_missing = [], {}
    for row in rows:
        missing = row["kpi_id"] in no_data
        agreement = row["agreement_id"]
        if missing:
            row = {**row, "actual": None, "actual_all_sources": None,
                   "actual_rate_from_previous": None, "cohort_size": None}
        elif previous_missing.get(agreement):
            row = {**row, "actual_rate_from_previous": None}
        previous_missing[agreement] = missing
        out.append(row)
    return out


def _recounted(agreement: dict, scorecard: list[dict], no_data: dict[str, str]) -> dict:
    """Return the agreement row with its KPI status counts taken from the scorecard."""
    rows = [row for row in scorecard if row["agreement_id"] == agreement["agreement_id"]]
    counts = {column: 0 for column in _STATUS_COUNTS.values()}
    for row in rows:
        column = _STATUS_COUNTS.get(row["status"])
        if column:
            counts[column] += 1
    counts["kpis_target_met"] = sum(1 for row in rows if row["is_target_met"])
    updated = {**agreement, **{key: value for key, value in counts.items() if key in agreement}}
    if "new_revenue" in no_data:
        updated.update(new_revenue=None, revenue_goal_attainment=None, revenue_status=NO_DATA)
    return updated
