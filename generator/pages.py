"""Page contexts: one dataclass per page type, built from the report models."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import quote

from generator import charts
from generator.exceptions import ConfigError
from generator.i18n import N_, gettext
from generator.kpis import KpiDefinition
from generator.pipeline import DbtBuild
from generator.privacy import EMAIL
from generator.render import (
    day,
    decimal,
    distinct_figure,
    no_data_reason,
    number,
    signed_change,
)


def _help(text: str) -> Any:
    return field(metadata={"help": text})


@dataclass(frozen=True)
class KpiView:
    """One KPI of one agreement period: its definition and its scorecard row."""

    spec: KpiDefinition
    actual: float | None
    target: float | None
    target_source: str | None
    expected_to_date: float | None
    projected: float | None
    gap_to_expected: float | None
    status: str
    is_target_met: bool
    needed_rest_of_period: float | None
    needed_this_month: float | None
    sample_size: float | None
    """The cases a rate, percentile or average is computed over (None for volumes)."""
    min_sample: int | None
    actual_all_sources: float | None
    """A lead-sourced funnel stage's count from every source, shown beside it."""
    is_lower_bound: bool
    """The value is a lower bound (a percentile while due MQLs are untouched)."""
    period_state: str = "in_progress"
    """final, in_progress or upcoming: the agreement period's state at the as-of date."""
    no_data_reason: str = ""
    """Why the KPI has no data: an input the team lacks ("needs lead activities") or a rate
    true by construction ("no lost deals recorded"); rpt_kpi_scorecard.no_data_reason."""
    matures_on: object = None
    """A cohort rate not matured yet (status maturing): the day it matures."""
    provisional_until: object = None
    """A closed period's cohort rate whose cohort has not fully matured: until when."""
    actual_sales_sourced: float | None = None
    """A marketing-sourced KPI's figure over what marketing did not source (issue #19)."""
    split_first: float | None = None
    """A rate counting two kinds of case (worked or settled): the first kind."""
    split_second: float | None = None
    """The second kind (settled early)."""
    exception_rank: int | None = None
    """Its place among the exceptions listed first (missed, no data; behind, at risk)."""
    exception_order: int | None = None
    """The exceptions' order, worst first (rpt_kpi_scorecard.exception_order, issue #20)."""
    week_before_date: object = None
    """The evaluation a week before the as-of day (issue #20), in a period in progress."""
    actual_week_before: float | None = None
    status_week_before: str | None = None
    is_lower_bound_week_before: bool = False
    change_since_week_before: float | None = None
    weeks_behind: int | None = None
    """Weekly evaluations in a row at which the KPI was behind pace."""
    week_before_missing_because: str = ""

    # The definition's fields, by the names the templates use.
    kpi_id = property(lambda self: self.spec.kpi_id)
    # Words in the site's language (meta.kpi translations, issue #14).
    title = property(lambda self: self.spec.text("title"))
    section = property(lambda self: self.spec.section)
    owner = property(lambda self: self.spec.text("owner"))
    unit = property(lambda self: self.spec.unit)
    noun = property(lambda self: self.spec.text("noun"))
    direction = property(lambda self: self.spec.direction)
    pacing = property(lambda self: self.spec.pacing)
    definition = property(lambda self: self.spec.definition)
    model = property(lambda self: self.spec.model)

    @property
    def is_paced(self) -> bool:
        """Return whether the KPI is compared with a pro-rated target."""
        return self.pacing == "cumulative"

    @property
    def figure(self) -> str:
        """Return the value as printed: a lower bound carries "≥"; a value that differs
        from its target never prints as the target (36.996%, not 37.0%; issue #19)."""
        if self.no_data_reason:
            return gettext("no data")  # issue #9: never a 0 for an input the team lacks
        shown = distinct_figure(self.actual, self.target, self.unit)
        return f"≥ {shown}" if self.is_lower_bound and self.actual is not None else shown

    @property
    def basis(self) -> str:
        """Return what the value stands on, in words: the sample, the split, who sourced it."""
        if self.no_data_reason:
            return no_data_reason(self.no_data_reason)
        parts = []
        if self.matures_on is not None:
            parts.append(gettext("so far, of %(count)s %(noun)s; matures on %(day)s") % {
                "count": number(self.sample_size), "noun": self.spec.text("maturing_noun")
                or gettext("cases"), "day": day(self.matures_on)})
        elif self.sample_size is not None:
            parts.append(gettext("of %(count)s %(noun)s") % {
                "count": number(self.sample_size),
                "noun": self.sample_noun or gettext("cases")})
        if self.split_first is not None and self.split_second is not None:
            parts.append(gettext("%(first)s worked to protocol, %(second)s settled early "
                                 "(converted or disqualified)") % {
                "first": number(self.split_first), "second": number(self.split_second)})
        if self.actual_sales_sourced is not None:
            parts.append(gettext("sales-sourced: %(count)s") % {
                "count": number(self.actual_sales_sourced, self.unit)})
        if self.actual_all_sources is not None:
            parts.append(gettext("all sources: %(count)s") % {
                "count": number(self.actual_all_sources, self.unit)})
        if self.is_lower_bound:
            parts.append(gettext("a lower bound while due MQLs are untouched"))
        if self.provisional_until is not None:
            parts.append(gettext("provisional until %(day)s, when the cohort has matured") % {
                "day": day(self.provisional_until)})
        return "; ".join(parts)

    @property
    def figure_week_before(self) -> str:
        """Return the week-before value as printed, "≥" for a lower bound; "–" without one."""
        if self.actual_week_before is None:
            return "–"
        shown = distinct_figure(self.actual_week_before, self.target, self.unit)
        return f"≥ {shown}" if self.is_lower_bound_week_before else shown

    @property
    def change(self) -> str:
        """Return the change since the week before, signed, in the KPI's unit (rates in points)."""
        return signed_change(self.change_since_week_before, self.unit)

    @property
    def sample_noun(self) -> str:
        """Return what the sample counts ("matured leads"), from meta.kpi."""
        return self.spec.text("sample_noun")


@dataclass(frozen=True)
class ReportData:
    """Every report model the site shows, read once after dbt has finished."""

    agreements: list[dict]
    scorecard: list[dict]
    revenue_pace: list[dict]
    funnel: list[dict]
    channels: list[dict]
    weekly: list[dict]
    reps: list[dict]
    deals: list[dict]
    data_quality: list[dict]
    rejected: list[dict]
    flagged: list[dict]
    masked: list[dict]
    monthly: list[dict]
    lead_velocity: list[dict]
    overdue: list[dict]
    rejections: list[dict]
    warnings: list[dict]
    lost_reasons: list[dict]
    rejection_reasons: list[dict]
    overdue_buckets: list[dict]
    teams: list[dict]
    breach_queue: list[dict]
    report_row_counts: dict[str, int]


REPORT_MODELS = {
    "agreements": ("rpt_agreements", "period_start_date"),
    "scorecard": ("rpt_kpi_scorecard", "agreement_id, kpi_order"),
    "revenue_pace": ("rpt_revenue_pace_daily", "agreement_id, calendar_date"),
    "funnel": ("rpt_funnel_plan_vs_actual", "agreement_id, stage_order"),
    "channels": ("rpt_channel_performance", "agreement_id, mqls desc, channel"),
    "weekly": ("rpt_weekly_trends", "agreement_id, week_start_date"),
    "reps": ("rpt_rep_handoff", "agreement_id, rep_order"),
    "teams": ("rpt_team_verdicts", "agreement_id, team_order"),
    "breach_queue": ("rpt_breach_queue", "agreement_id, urgency_order"),
    "deals": ("rpt_deal_outcomes", "agreement_id, outcome desc, amount_rank"),
    "data_quality": ("rpt_data_quality", "raw_table"),
    "rejected": ("rpt_rejected_rows_summary", "raw_table, rows_rejected desc, quarantine_reason"),
    "masked": ("rpt_masked_values", "raw_table, column_name"),
    "flagged": ("rpt_flagged_values_summary",
                "raw_table, is_unknown_category, rows_flagged desc, column_name, flag_reason"),
    "monthly": ("rpt_kpi_monthly", "agreement_id, kpi_order, month_start_date"),
    "lead_velocity": ("rpt_lead_velocity", "month_start_date"),
    "overdue": ("rpt_overdue_mqls", "agreement_id, rep_id, days_since_mql desc, lead_id"),
    "rejections": ("rpt_mql_rejections", "agreement_id, mqls_rejected desc, rejection_reason"),
    "warnings": ("rpt_data_warnings", "warning_type, subject"),
    "lost_reasons": ("rpt_lost_reasons", "agreement_id, reason_order"),
    "rejection_reasons": ("rpt_mql_rejection_reasons", "agreement_id, reason_order"),
    "overdue_buckets": ("rpt_overdue_age_buckets", "agreement_id, rep_id, age_bucket_order"),
}


def load_report_data(warehouse) -> ReportData:
    """Return every report model as rows (the warehouse module does the reading)."""
    loaded = {name: warehouse.rows(model, order_by) for name, (model, order_by)
              in REPORT_MODELS.items()}
    counts = {model: len(loaded[name]) for name, (model, _) in REPORT_MODELS.items()}
    return ReportData(**loaded, report_row_counts=counts)


# -- page dataclasses ----------------------------------------------------------

@dataclass(frozen=True)
class OverviewPage:
    """The landing page: the period in force at a glance."""

    agreement: dict = _help("rpt_agreements row of the agreement in force")
    kpis: list[KpiView] = _help("every KPI of the agreement in force, in order")
    revenue: KpiView = _help("the headline new_revenue KPI")
    off_pace: list[KpiView] = _help(
        "the exceptions, first: missed then no data in a final period, behind then at risk "
        "in one in progress (rpt_kpi_scorecard.exception_rank)")
    revenue_chart: str = _help("path of the revenue-vs-pace SVG, relative to the page")
    sections: dict[str, str] = _help("section id -> title, in page order")
    previous: dict | None = _help("rpt_agreements row of the period before, if any")
    teams: list[dict] = field(default_factory=list, metadata={"help": (
        "rpt_team_verdicts rows of the agreement in force: one verdict tile per team")})
    sparklines: dict[str, str] = field(default_factory=dict, metadata={"help": (
        "kpi_id -> inline SVG of its month-by-month trend against target ('' if too short)")})


@dataclass(frozen=True)
class AgreementPage:
    """One agreement period: the team's text with live figures, and its commitments."""

    agreement: dict = _help("rpt_agreements row")
    body: str = _help("the agreement text, rendered with live figures (Markdown)")
    kpis: list[KpiView] = _help("every KPI of this period")
    source_path: str = _help("repository path of the agreement's Markdown text")
    is_in_force: bool = _help("whether this is the agreement in force at the as-of date")
    root: str = _help("relative path from the page to the site root ('' or '../')")
    restated: list[dict] = field(default_factory=list, metadata={"help": (
        "final period only: KPIs whose figures recomputed today differ from those recorded "
        "when it closed (history.json), see generator.history.restatements")})
    changes: list[dict] = field(default_factory=list, metadata={"help": (
        "targets and terms changed while the period ran, newest first, each with its label "
        "(history.json term_changes, generator.terms)")})


@dataclass(frozen=True)
class TeamPage:
    """A team view (marketing, hand-off, sales) of the agreement in force."""

    title: str = _help("page title")
    section: str = _help("kpi section shown: marketing, handoff or sales")
    agreement: dict = _help("rpt_agreements row of the agreement in force")
    kpis: list[KpiView] = _help("the section's KPIs")
    charts: list[tuple[str, str]] = _help("(caption, SVG path) pairs")
    channels: list[dict] = _help("rpt_channel_performance rows (marketing)")
    reps: list[dict] = _help("rpt_rep_handoff rows (hand-off)")
    rep_pages: dict[str, str] = _help("rep_id -> file name of the rep's page (see page_names)")
    lost_reasons: list[dict] = _help("rpt_lost_reasons rows: deals and amount per reason (sales)")
    top_wins: list[dict] = _help("largest won deals, rpt_deal_outcomes rows (sales)")
    rejections: list[dict] = _help("rpt_mql_rejection_reasons rows: MQLs rejected by reason "
                                   "(marketing)")
    lead_velocity: list[dict] = _help("rpt_lead_velocity rows of the period's months (marketing)")
    overdue_buckets: list[dict] = _help("rpt_overdue_age_buckets rows of the team (hand-off)")
    root: str = _help("relative path from the page to the site root")
    handoff_note: str = field(default="", metadata={"help": (
        "why the hand-off clock cannot run (rpt_agreements.handoff_clock_missing_because, "
        "issue #9); empty when it can")})
    breach_queue: list[dict] = field(default_factory=list, metadata={"help": (
        "rpt_breach_queue rows, most urgent first, each with crm_url (or None) (hand-off)")})


@dataclass(frozen=True)
class RepPage:
    """One sales rep's hand-off record under the agreement in force."""

    agreement: dict = _help("rpt_agreements row of the agreement in force")
    rep: dict = _help("rpt_rep_handoff row of the rep")
    overdue: list[dict] = _help("the rep's MQLs past deadline untouched (lead id, company)")
    overdue_buckets: list[dict] = _help("rpt_overdue_age_buckets rows of the rep")
    root: str = _help("relative path from the page to the site root")
    title: str = _help("the page's <title>: the rep's name made safe (see nav_title)")
    handoff_note: str = field(default="", metadata={"help": (
        "why the hand-off clock cannot run (no lead activities, issue #9); empty when it can")})
    measures: list[dict] = field(default_factory=list, metadata={"help": (
        "per hand-off measure: label, kpi_id, unit, the rep's figure and its denominator, "
        "the target, the team's figure and the rep's status (rpt_rep_handoff columns)")})


@dataclass(frozen=True)
class MonthlyPage:
    """The agreement in force month by month: targets phased, actuals, what is needed."""

    agreement: dict = _help("rpt_agreements row of the agreement in force")
    months: list[dict] = _help("int_agreement_months-like rows: month start, state")
    volumes: list[dict] = _help("per volume KPI: its KpiView and one rpt_kpi_monthly row a month")
    rates: list[dict] = _help("per rate or duration KPI: its KpiView and its monthly rows")
    lead_velocity: list[dict] = _help("rpt_lead_velocity rows of the period's months")
    chart: str = _help("path of the MQLs-per-month SVG")
    funnel: list[dict] = field(default_factory=list, metadata={"help": (
        "rpt_funnel_plan_vs_actual rows of the period: the volumes needed at the actual rates "
        "beside the plan (issue #19)")})


@dataclass(frozen=True)
class PlanPage:
    """The reverse funnel of each period: planned against actual."""

    periods: list[dict] = _help("per agreement: agreement row, funnel rows and chart path")


@dataclass(frozen=True)
class HistoryPage:
    """Every agreement period, final or in progress, side by side."""

    agreements: list[dict] = _help("rpt_agreements rows, oldest first")
    kpi_rows: list[dict] = _help("per KPI: title, unit and one KpiView per agreement")
    term_rows: list[dict] = _help("per agreement term: label, unit and value per agreement")
    restated: list[dict] = field(default_factory=list, metadata={"help": (
        "KPIs of final periods whose figures recomputed today differ from those recorded "
        "when the period closed (history.json), see generator.history.restatements")})
    changes: list[dict] = field(default_factory=list, metadata={"help": (
        "every target and term changed while its period ran, newest first, labelled")})


@dataclass(frozen=True)
class DefinitionsPage:
    """How every number is computed: definitions, owners and SQL."""

    kpis: list[KpiDefinition] = _help("every KPI definition from the dbt manifest")
    on_track_min: float = _help("attainment at or above which a KPI is on track")
    at_risk_min: float = _help("attainment at or above which a KPI is at risk")
    agreement: dict = field(default_factory=dict, metadata={"help": (
        "rpt_agreements row of the agreement in force: the attribution and owner rules "
        "the figures were made by (issue #19)")})


@dataclass(frozen=True)
class DataQualityPage:
    """Whether the numbers can be trusted: tests, row counts and quarantine."""

    tables: list[dict] = _help("rpt_data_quality rows: rows read, used and rejected")
    rejected: list[dict] = _help("rpt_rejected_rows_summary rows")
    flagged: list[dict] = _help("rpt_flagged_values_summary rows: bad values nulled, row kept")
    masked: list[dict] = _help("rpt_masked_values rows: e-mail addresses and phones masked")
    warnings: list[dict] = _help("rpt_data_warnings rows: used-but-suspect or unusable input")
    test_counts: dict[str, int] = _help("dbt data/unit test status -> count")
    tests: list[dict] = _help("every dbt data and unit test with its status")
    report_row_counts: dict[str, int] = _help("report model -> rows")
    dbt_seconds: float = _help("how long dbt build took")
    raw_source: str = _help("where the raw rows came from")


SECTION_TITLES = {"marketing": N_("Marketing"), "handoff": N_("Lead hand-off"),
                  "sales": N_("Sales")}


def nav_title(value: str) -> str:
    """Return a navigation title made from data, safe in every place the theme puts it.

    The theme inserts nav titles unescaped, and puts them in <title> through
    `striptags`, which unescapes entities again. So `<` and `>` are dropped
    (no title can ever form a tag) and what is left is escaped once.
    """
    return html.escape(" ".join(value.replace("<", " ").replace(">", " ").split()), quote=True)


# A page named after an id keeps the id when it is plainly a name: letters,
# digits, `_` and `-`, not a name a file system or the site reserves.
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_RESERVED_NAMES = {"index", "con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)),
                   *(f"lpt{n}" for n in range(10))}
# Runs of seven or more digits (a phone number) and e-mail addresses never
# reach a URL, even of a page that is published anyway.
_PRIVATE_IN_ID = re.compile(EMAIL.pattern + r"|[0-9][0-9 ()+.-]{5,}[0-9]")


def _digest(identifier: str, length: int) -> str:
    return hashlib.sha256(identifier.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def _page_name(identifier: str) -> str:
    if _PLAIN_ID.fullmatch(identifier) and identifier.lower() not in _RESERVED_NAMES:
        return identifier
    words = re.findall(r"[A-Za-z0-9]+", _PRIVATE_IN_ID.sub(" ", identifier))
    slug = "-".join(words)[:40].strip("-")
    return f"{slug}-{_digest(identifier, 10)}" if slug else f"id-{_digest(identifier, 10)}"


def page_names(identifiers: Iterable[str]) -> dict[str, str]:
    """Return a file name (without suffix) for each id's page: inside its folder, one each.

    Page files are named after rep ids from the CRM (issue #24): an id such as
    `../index` or `a/b` must neither leave its folder nor replace another
    page. A plain id stays as it is (`reps/S01.md`); any other becomes a slug
    of its letters and digits with a hash of the whole id. Names that would
    be the same file on a case-insensitive file system get the hash too.
    """
    names = {identifier: _page_name(identifier) for identifier in identifiers}
    for length in (10, 64):
        groups: dict[str, list[str]] = {}
        for identifier, name in names.items():
            groups.setdefault(name.lower(), []).append(identifier)
        clashes = [ids for ids in groups.values() if len(ids) > 1]
        if not clashes:
            return names
        for identifier in (i for ids in clashes for i in ids):
            names[identifier] = f"{_page_name(identifier)}-{_digest(identifier, length)}"
    raise ConfigError("two ids were given the same page name: " + ", ".join(
        repr(i) for ids in clashes for i in ids))


def lead_url(crm_links: dict | None, lead_id: str) -> str | None:
    """Return the CRM's address of a lead record from the crm_links template, or None.

    The id is quoted whole, so no id can change the address's host or path;
    a pseudonymized id (an address as an id, issue #24) gets no link.
    """
    if not crm_links or not lead_id or lead_id.startswith("private-"):
        return None
    values = {key: value for key, value in crm_links.items() if key != "lead"}
    return crm_links["lead"].format(lead_id=quote(str(lead_id), safe=""), **values)


def agreement_in_force(agreements: list[dict]) -> dict:
    """Return the agreement whose period holds the as-of date, else the latest started."""
    current = [a for a in agreements if a["period_state"] == "in_progress"]
    if current:
        return current[0]
    started = [a for a in agreements if a["period_state"] == "final"]
    return started[-1] if started else agreements[0]


def kpi_views(data: ReportData, definitions: list[KpiDefinition], agreement_id: str
              ) -> list[KpiView]:
    """Return the KPIs of one agreement, joined to their definitions."""
    by_id = {d.kpi_id: d for d in definitions}
    views = []
    for row in data.scorecard:
        if row["agreement_id"] != agreement_id or row["kpi_id"] not in by_id:
            continue
        views.append(KpiView(
            spec=by_id[row["kpi_id"]], actual=row["actual"], target=row["target"],
            target_source=row["target_source"], expected_to_date=row["expected_to_date"],
            projected=row["projected"], gap_to_expected=row["gap_to_expected"],
            status=row["status"], is_target_met=bool(row["is_target_met"]),
            needed_rest_of_period=row["needed_rest_of_period"],
            needed_this_month=row["needed_this_month"], sample_size=row["sample_size"],
            min_sample=row["min_sample"], actual_all_sources=row["actual_all_sources"],
            is_lower_bound=bool(row["is_lower_bound"]), period_state=row["period_state"],
            no_data_reason=row.get("no_data_reason") or "", matures_on=row.get("matures_on"),
            provisional_until=row.get("provisional_until"),
            actual_sales_sourced=row.get("actual_sales_sourced"),
            split_first=row.get("split_first"), split_second=row.get("split_second"),
            exception_rank=row.get("exception_rank"),
            exception_order=row.get("exception_order"),
            week_before_date=row.get("week_before_date"),
            actual_week_before=row.get("actual_week_before"),
            status_week_before=row.get("status_week_before"),
            is_lower_bound_week_before=bool(row.get("is_lower_bound_week_before")),
            change_since_week_before=row.get("change_since_week_before"),
            weeks_behind=row.get("weeks_behind"),
            week_before_missing_because=row.get("week_before_missing_because") or ""))
    return views


def _rows_of(rows: list[dict], agreement_id: str) -> list[dict]:
    return [row for row in rows if row["agreement_id"] == agreement_id]


@dataclass
class SitePlan:
    """Everything to write into the docs folder: pages, chart files, nested navigation."""

    pages: list[tuple[str, str, object]] = field(default_factory=list)
    charts: dict[str, str] = field(default_factory=dict)
    """Chart path -> SVG; each chart has its dark-scheme twin beside it (charts.dark_path)."""
    nav_children: dict[str, list] = field(default_factory=dict)
    """Page path in mkdocs.yml's nav -> the generated pages nested under it."""


def _add_chart(plan: SitePlan, path: str, svg: str) -> None:
    """Add a chart and its dark-scheme twin to the plan (issue #12), and both of its
    narrow twin for phones (issue #20)."""
    plan.charts[path] = svg
    plan.charts[charts.dark_path(path)] = charts.dark_twin(svg)
    narrow = getattr(svg, "narrow", "") or svg
    plan.charts[charts.narrow_path(path)] = narrow
    plan.charts[charts.dark_path(charts.narrow_path(path))] = charts.dark_twin(narrow)


def _sparklines(kpis: list[KpiView], monthly_rows: list[dict]) -> dict[str, str]:
    """Return each KPI's month-by-month trend against its target as a small inline SVG.

    Volumes show the running total against the running target (paced in
    the month in progress), so a part month never looks like a drop; rates
    and durations show each month against the period target.
    """
    lines = {}
    for kpi in kpis:
        rows = [r for r in monthly_rows if r["kpi_id"] == kpi.kpi_id
                and r["month_state"] != "upcoming"]
        if kpi.is_paced:
            values = [r["cumulative_actual"] for r in rows]
            targets = [r["cumulative_expected"] if r["month_state"] == "current"
                       else r["cumulative_target"] for r in rows]
            what = gettext("running total against the running target")
        else:
            values = [r["actual"] for r in rows]
            targets = [kpi.target for _ in rows]
            what = gettext("each month against the target")
        values = [None if v is None else float(v) for v in values]
        targets = [None if t is None else float(t) for t in targets]
        lines[kpi.kpi_id] = charts.sparkline(
            values, targets, gettext("%(kpi)s, month by month: %(what)s") % {
                "kpi": nav_title(kpi.title), "what": what})
    return lines


def _rep_measures(rep: dict, by_id: dict[str, KpiView]) -> list[dict]:
    """Return the rep's hand-off figures beside the target, the team and a status (issue #12).

    Every figure, target and status is a column of rpt_rep_handoff (issue
    #19: the status by the one rule of macros/kpi_status.sql). A rate
    carries its numerator and denominator ("28 of 71 MQLs whose window
    closed"); the team's figure (as printed) is the whole team's KPI, a
    count's the average per rep.
    """
    measures = []
    due = gettext("MQLs due for a first touch")
    for label, kpi_id, prefix, count, cases, noun in (
            (gettext("Touched within the SLA"), "first_touch_within_sla_rate", "first_touch",
             rep["mqls_touched_within_sla"], rep["mqls_due_for_first_touch"], due),
            (gettext("Median first touch"), "median_first_touch_business_hours", "median",
             None, rep["mqls_due_for_first_touch"], due),
            (gettext("Worked or settled"), "mqls_worked_rate", "worked",
             rep["mqls_worked"], rep["mqls_touch_window_closed"],
             gettext("MQLs whose touch window closed"))):
        kpi = by_id.get(kpi_id)
        if kpi is None:
            continue
        value = rep[kpi_id]
        basis = (gettext("%(count)s of %(cases)s %(noun)s") % {
            "count": number(count), "cases": number(cases), "noun": noun}
            if count is not None else gettext("over %(cases)s %(noun)s") % {
                "cases": number(cases), "noun": noun})
        if prefix == "worked" and rep["mqls_worked"] is not None:
            basis += "; " + gettext("%(first)s worked to protocol, %(second)s settled early "
                                    "(converted or disqualified)") % {
                "first": number(rep["mqls_worked_by_attempts"]),
                "second": number(rep["mqls_settled_early"])}
        shown = distinct_figure(value, rep[f"{prefix}_target"], kpi.unit)
        if prefix == "median" and rep["is_median_lower_bound"] and value is not None:
            shown = f"≥ {shown}"
            basis += "; " + gettext("a lower bound while due MQLs are untouched")
        measures.append({
            "label": label, "kpi_id": kpi_id, "unit": kpi.unit, "value": value,
            "shown": shown, "basis": basis, "target": rep[f"{prefix}_target"],
            "team": kpi.figure, "team_basis": kpi.basis, "status": rep[f"{prefix}_status"]})
    for label, column, average in (
            (gettext("MQLs assigned"), "mqls_assigned", "team_average_mqls_assigned"),
            (gettext("Untouched past deadline"), "mqls_untouched_past_deadline",
             "team_average_untouched_past_deadline")):
        measures.append({"label": label, "kpi_id": None, "unit": "count",
                         "value": rep[column], "shown": number(rep[column]), "basis": "",
                         "target": None,
                         "team": "–" if rep[average] is None else decimal(rep[average]),
                         "team_basis": gettext("average of %(reps)s reps") % {
                             "reps": number(rep["team_reps"])},
                         "status": None})
    return measures


def _period_velocity(data: ReportData, agreement: dict) -> list[dict]:
    start = agreement["period_start_date"].replace(day=1)
    return [row for row in data.lead_velocity
            if start <= row["month_start_date"] <= agreement["period_end_date"]]


def handoff_note(agreement: dict) -> str:
    """Return why the hand-off clock cannot run, in the site's language ('' when it can)."""
    why = agreement.get("handoff_clock_missing_because")
    return gettext(HANDOFF_REASON) % {"why": why} if why else ""


HANDOFF_REASON = N_("The hand-off clock cannot run without lead activities (%(why)s): no MQL "
                    "is listed as overdue and no touch rate is shown.")


def plan_site(data: ReportData, definitions: list[KpiDefinition], build: DbtBuild,
              agreement_bodies: dict[str, tuple[str, str]], thresholds: tuple[float, float],
              raw_source: str, restated: dict[str, list[dict]] | None = None,
              crm_links: dict | None = None,
              term_changes: list[dict] | None = None) -> SitePlan:
    """Return every page (path, template, context) and chart of the site.

    `restated`: per final agreement, the KPIs whose recomputed figures differ
    from those recorded when it closed (generator.history.restatements).
    `crm_links`: crm_source.yml's lead URL template (issue #20), or None.
    `term_changes`: targets and terms changed while a period ran (generator.terms).
    """
    changes = labelled_changes(term_changes or [], definitions)
    # The record keeps each KPI's title as it closed; pages show it in the site's language.
    titles = {d.kpi_id: d.text("title") for d in definitions}
    restated = {agreement_id: [{**row, "title": titles.get(row["kpi_id"], row["title"])}
                               for row in rows]
                for agreement_id, rows in (restated or {}).items()}
    plan = SitePlan()
    current = agreement_in_force(data.agreements)
    current_id = current["agreement_id"]
    kpis = kpi_views(data, definitions, current_id)
    by_id = {kpi.kpi_id: kpi for kpi in kpis}
    weekly = _rows_of(data.weekly, current_id)

    revenue_chart = f"charts/revenue-pace-{current_id}.svg"
    _add_chart(plan, revenue_chart, charts.revenue_pace(
        _rows_of(data.revenue_pace, current_id), current["revenue_goal"],
        by_id["new_revenue"].projected if current["period_state"] == "in_progress" else None,
        current["period_end_date"]))
    # Issue #19: the models rank the exceptions (a closed period names its
    # misses, then what it could not measure); the page keeps their order.
    off_pace = sorted((k for k in kpis if k.exception_order is not None),
                      key=lambda k: k.exception_order)
    previous = [a for a in data.agreements
                if a["agreement_id"] == current.get("previous_agreement_id")]
    plan.pages.append(("index.md", "overview.md.j2", OverviewPage(
        agreement=current, kpis=kpis, revenue=by_id["new_revenue"], off_pace=off_pace,
        revenue_chart=revenue_chart,
        sections={key: gettext(title) for key, title in SECTION_TITLES.items()},
        previous=previous[0] if previous else None,
        teams=_rows_of(data.teams, current_id),
        sparklines=_sparklines(kpis, _rows_of(data.monthly, current_id)))))
    plan.nav_children["history.md"] = [
        {nav_title(a["title"]): f"agreements/{a['agreement_id']}.md"}
        for a in reversed(data.agreements)]

    for agreement in data.agreements:
        agreement_id = agreement["agreement_id"]
        source_path, body = agreement_bodies[agreement_id]
        for path, root in ((f"agreements/{agreement_id}.md", "../"), ("agreement.md", "")):
            if path == "agreement.md" and agreement_id != current_id:
                continue
            plan.pages.append((path, "agreement.md.j2", AgreementPage(
                agreement=agreement, body=body,
                kpis=kpi_views(data, definitions, agreement_id), source_path=source_path,
                is_in_force=agreement_id == current_id, root=root,
                restated=restated.get(agreement_id, []),
                changes=[c for c in changes if c["agreement_id"] == agreement_id])))

    deals = _rows_of(data.deals, current_id)
    overdue = _rows_of(data.overdue, current_id)
    buckets = _rows_of(data.overdue_buckets, current_id)
    note = handoff_note(current)
    first_touch = by_id.get("first_touch_within_sla_rate")
    # The weeks the period and the data cover: a week cut by either is partial.
    span = {"first": current["period_start_date"], "last": current["evaluated_through_date"]}
    weekly_charts = {
        "marketing": (gettext("MQLs delivered per week"), "weekly-mqls",
                      charts.weekly_bars(weekly, "mqls", gettext("MQLs"), **span)),
        "handoff": (gettext("Share of due MQLs touched within the SLA, per week"),
                    "weekly-first-touch",
                    charts.weekly_rate(weekly, "first_touch_within_sla_rate",
                                       gettext("Touched within SLA"),
                                       first_touch.target if first_touch else None, **span)),
        "sales": (gettext("New-business revenue booked per week"), "weekly-revenue",
                  charts.weekly_bars(weekly, "new_revenue", gettext("Revenue"),
                                     charts.CURRENCY_FORMAT, **span)),
    }
    team_rows = _rows_of(data.reps, current_id)
    rep_pages = page_names(rep["rep_id"] for rep in team_rows)
    for section, (caption, slug, svg) in weekly_charts.items():
        path = f"charts/{slug}-{current_id}.svg"
        _add_chart(plan, path, svg)
        chart_paths = [(caption, path)]
        plan.pages.append((f"{section}.md", f"{section}.md.j2", TeamPage(
            title=gettext(SECTION_TITLES[section]), section=section, agreement=current,
            kpis=[k for k in kpis if k.section == section], charts=chart_paths,
            channels=_rows_of(data.channels, current_id),
            reps=team_rows, rep_pages=rep_pages,
            lost_reasons=_rows_of(data.lost_reasons, current_id),
            top_wins=[d for d in deals if d["outcome"] == "won" and d["amount_rank"] <= 10],
            rejections=_rows_of(data.rejection_reasons, current_id),
            lead_velocity=_period_velocity(data, current),
            overdue_buckets=[b for b in buckets if b["rep_id"] is None], root="",
            handoff_note=note,
            breach_queue=[{**row, "crm_url": lead_url(crm_links, row["lead_id"])}
                          for row in _rows_of(data.breach_queue, current_id)])))

    # Rep pages are reached from the hand-off page's rep table and from the
    # search, not from the navigation: the theme copies the whole navigation
    # into every page, so 500 reps in it would make the site grow with
    # pages x reps (issue #8).
    overdue_by_rep: dict[str, list[dict]] = {}
    for row in overdue:
        overdue_by_rep.setdefault(row["rep_id"], []).append(row)
    for rep in team_rows:
        rep_overdue = overdue_by_rep.get(rep["rep_id"], [])
        plan.pages.append((f"reps/{rep_pages[rep['rep_id']]}.md", "rep.md.j2", RepPage(
            agreement=current, rep=rep, overdue=rep_overdue,
            overdue_buckets=[b for b in buckets if b["rep_id"] == rep["rep_id"]], root="../",
            # Not in the navigation (issue #8), so MkDocs would take the
            # <title> from the heading's text, unescaped: name it here.
            title=nav_title(rep["rep_name"]),
            handoff_note=note,
            measures=_rep_measures(rep, by_id))))

    monthly_rows = _rows_of(data.monthly, current_id)
    months = sorted({(r["month_start_date"], r["month_state"]) for r in monthly_rows})
    per_kpi = [{"kpi": kpi, "months": [r for r in monthly_rows if r["kpi_id"] == kpi.kpi_id]}
               for kpi in kpis]
    monthly_chart = f"charts/monthly-mqls-{current_id}.svg"
    _add_chart(plan, monthly_chart, charts.monthly_actual_vs_target(
        [r for r in monthly_rows if r["kpi_id"] == "mqls"], gettext("MQLs")))
    plan.pages.append(("monthly.md", "monthly.md.j2", MonthlyPage(
        agreement=current,
        months=[{"month_start_date": m, "month_state": state} for m, state in months],
        volumes=[k for k in per_kpi if k["kpi"].is_paced],
        rates=[k for k in per_kpi if not k["kpi"].is_paced],
        lead_velocity=_period_velocity(data, current), chart=monthly_chart,
        funnel=_rows_of(data.funnel, current_id))))

    periods = []
    for agreement in reversed(data.agreements):
        funnel = _rows_of(data.funnel, agreement["agreement_id"])
        path = f"charts/funnel-{agreement['agreement_id']}.svg"
        _add_chart(plan, path, charts.funnel_attainment(funnel))
        periods.append({"agreement": agreement, "funnel": funnel, "chart": path})
    plan.pages.append(("plan-vs-actual.md", "plan.md.j2", PlanPage(periods=periods)))

    plan.pages.append(("history.md", "history.md.j2", replace(
        _history(data, definitions),
        restated=[r for a in data.agreements for r in restated.get(a["agreement_id"], [])],
        changes=changes)))
    plan.pages.append(("definitions.md", "definitions.md.j2", DefinitionsPage(
        kpis=definitions, on_track_min=thresholds[0], at_risk_min=thresholds[1],
        agreement=current)))
    plan.pages.append(("data-quality.md", "data_quality.md.j2", _data_quality(
        data, build, raw_source)))
    return plan


TERMS = [
    (N_("Revenue goal"), "revenue_goal", "currency"),
    (N_("Marketing revenue share"), "marketing_revenue_share", "rate"),
    (N_("Average deal size (assumed)"), "average_deal_size", "currency"),
    (N_("Visit to lead"), "visit_to_lead_rate", "rate"),
    (N_("Lead to MQL"), "lead_to_mql_rate", "rate"),
    (N_("MQL to SQL"), "mql_to_sql_rate", "rate"),
    (N_("SQL to opportunity"), "sql_to_opportunity_rate", "rate"),
    (N_("Opportunity to proposal"), "opportunity_to_proposal_rate", "rate"),
    (N_("Proposal to win"), "proposal_to_win_rate", "rate"),
    (N_("First touch within (business hours)"), "first_touch_business_hours", "count"),
    (N_("Touch attempts required"), "min_touch_attempts", "count"),
    (N_("Touch window (days)"), "touch_window_days", "count"),
]


def labelled_changes(changes: list[dict], definitions: list[KpiDefinition]) -> list[dict]:
    """Return the recorded changes newest first, each with the label the pages show:
    the KPI's title in the site's language, or the term's name."""
    titles = {d.kpi_id: d.text("title") for d in definitions}
    terms = {key: label for label, key, _unit in TERMS}
    labelled = []
    for change in changes:
        label = (titles.get(change["id"], change["id"]) if change["kind"] == "target"
                 else gettext(terms[change["id"]]) if change["id"] in terms
                 else gettext(_END_DATE) if change["id"] == "period_end_date"
                 else change["id"].replace("_", " "))
        values = {key: _recorded_value(change[key], change["unit"]) for key in ("from", "to")}
        labelled.append({**change, **values, "label": label,
                         "changed_on": date.fromisoformat(change["changed_on"])})
    return sorted(labelled, key=lambda c: c["changed_on"], reverse=True)


_END_DATE = N_("Last day of the period")


def _recorded_value(value: object, unit: str) -> object:
    """Return a value as history.json records it, a date as a date (for the `day` filter)."""
    return date.fromisoformat(value) if unit == "date" and isinstance(value, str) else value


def _history(data: ReportData, definitions: list[KpiDefinition]) -> HistoryPage:
    views = {a["agreement_id"]: {k.kpi_id: k for k in kpi_views(data, definitions,
                                                                 a["agreement_id"])}
             for a in data.agreements}
    kpi_rows = [{"title": d.text("title"), "unit": d.unit, "kpi_id": d.kpi_id,
                 "cells": [views[a["agreement_id"]].get(d.kpi_id) for a in data.agreements]}
                for d in definitions]
    term_rows = [{"label": gettext(label), "unit": unit,
                  "values": [a[key] for a in data.agreements],
                  "changed": len({a[key] for a in data.agreements}) > 1}
                 for label, key, unit in TERMS]
    return HistoryPage(agreements=data.agreements, kpi_rows=kpi_rows, term_rows=term_rows)


def _data_quality(data: ReportData, build: DbtBuild, raw_source: str) -> DataQualityPage:
    tests = [{"name": r.name, "type": "unit test" if r.resource_type == "unit_test"
              else "data test", "status": r.status, "failures": r.failures}
             for r in build.of_type("test", "unit_test")]
    tests.sort(key=lambda t: (t["status"] == "pass", t["type"], t["name"]))
    counts: dict[str, int] = {}
    for test in tests:
        counts[test["status"]] = counts.get(test["status"], 0) + 1
    return DataQualityPage(tables=data.data_quality, rejected=data.rejected,
                           flagged=data.flagged, masked=data.masked,
                           warnings=data.warnings,
                           test_counts=counts, tests=tests,
                           report_row_counts=data.report_row_counts,
                           dbt_seconds=build.seconds, raw_source=raw_source)
