"""Page contexts: one dataclass per page type, every field with a `help` string.

tests/test_templates.py checks that each template uses only the fields its
dataclass declares, and that each field says what it holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.report.kpi_views import KpiView
from generator.report.kpis import KpiDefinition


def _help(text: str) -> Any:
    return field(metadata={"help": text})


@dataclass(frozen=True)
class OverviewPage:
    """The landing page: the period in force at a glance."""

    agreement: dict = _help("rpt_agreements row of the agreement in force")
    kpis: list[KpiView] = _help("every KPI of the agreement in force, in order")
    revenue: KpiView = _help("the headline new_revenue KPI")
    off_pace: list[KpiView] = _help(
        "the exceptions, first: missed then no data in a final period, behind then at risk "
        "in one in progress (rpt_kpi_scorecard.exception_rank)"
    )
    revenue_chart: str = _help("path of the revenue-vs-pace SVG, relative to the page")
    sections: dict[str, str] = _help("section id -> title, in page order")
    previous: dict | None = _help("rpt_agreements row of the period before, if any")
    teams: list[dict] = field(
        default_factory=list,
        metadata={
            "help": ("rpt_team_verdicts rows of the agreement in force: one verdict tile per team")
        },
    )
    sparklines: dict[str, str] = field(
        default_factory=dict,
        metadata={
            "help": (
                "kpi_id -> inline SVG of its month-by-month trend against target ('' if too short)"
            )
        },
    )


@dataclass(frozen=True)
class AgreementPage:
    """One agreement period: the team's text with live figures, and its commitments."""

    agreement: dict = _help("rpt_agreements row")
    body: str = _help("the agreement text, rendered with live figures (Markdown)")
    kpis: list[KpiView] = _help("every KPI of this period")
    source_path: str = _help("repository path of the agreement's Markdown text")
    is_in_force: bool = _help("whether this is the agreement in force at the as-of date")
    root: str = _help("relative path from the page to the site root ('' or '../')")
    restated: list[dict] = field(
        default_factory=list,
        metadata={
            "help": (
                "final period only: KPIs whose figures recomputed today differ from those recorded "
                "when it closed (history.json), see generator.report.history.restatements"
            )
        },
    )
    changes: list[dict] = field(
        default_factory=list,
        metadata={
            "help": (
                "targets and terms changed while the period ran, newest first, each with its label "
                "(history.json term_changes, generator.report.terms)"
            )
        },
    )


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
    rejections: list[dict] = _help(
        "rpt_mql_rejection_reasons rows: MQLs rejected by reason (marketing)"
    )
    lead_velocity: list[dict] = _help("rpt_lead_velocity rows of the period's months (marketing)")
    overdue_buckets: list[dict] = _help("rpt_overdue_age_buckets rows of the team (hand-off)")
    root: str = _help("relative path from the page to the site root")
    handoff_note: str = field(
        default="",
        metadata={
            "help": (
                "why the hand-off clock cannot run (rpt_agreements.handoff_clock_missing_because, "
                "issue #9); empty when it can"
            )
        },
    )
    breach_queue: list[dict] = field(
        default_factory=list,
        metadata={
            "help": (
                "rpt_breach_queue rows the page lists (is_on_page), most urgent first, each "
                "with crm_url (or None) (hand-off)"
            )
        },
    )
    breach_queue_not_listed: int = field(
        default=0,
        metadata={"help": "rpt_breach_queue.rows_not_on_page: queue rows the page leaves out"},
    )
    breach_queue_csv: str = field(
        default="", metadata={"help": "the whole queue's CSV download, relative to the page"}
    )


@dataclass(frozen=True)
class RepPage:
    """One sales rep's hand-off record under the agreement in force."""

    agreement: dict = _help("rpt_agreements row of the agreement in force")
    rep: dict = _help("rpt_rep_handoff row of the rep")
    overdue: list[dict] = _help(
        "the rep's MQLs past deadline untouched the page lists (rpt_overdue_mqls.is_on_page)"
    )
    overdue_buckets: list[dict] = _help("rpt_overdue_age_buckets rows of the rep")
    root: str = _help("relative path from the page to the site root")
    title: str = _help("the page's <title>: the rep's name made safe (see nav_title)")
    overdue_not_listed: int = field(
        default=0,
        metadata={"help": "rpt_overdue_mqls.rows_not_on_page: the rep's rows the page leaves out"},
    )
    overdue_csv: str = field(
        default="",
        metadata={"help": "the rep's whole list as a CSV download, relative to the page"},
    )
    handoff_note: str = field(
        default="",
        metadata={
            "help": (
                "why the hand-off clock cannot run (no lead activities, issue #9); "
                "empty when it can"
            )
        },
    )
    measures: list[dict] = field(
        default_factory=list,
        metadata={
            "help": (
                "per hand-off measure: label, kpi_id, unit, the rep's figure and its denominator, "
                "the target, the team's figure and the rep's status (rpt_rep_handoff columns)"
            )
        },
    )


@dataclass(frozen=True)
class MonthlyPage:
    """The agreement in force month by month: targets phased, actuals, what is needed."""

    agreement: dict = _help("rpt_agreements row of the agreement in force")
    months: list[dict] = _help("int_agreement_months-like rows: month start, state")
    volumes: list[dict] = _help("per volume KPI: its KpiView and one rpt_kpi_monthly row a month")
    rates: list[dict] = _help("per rate or duration KPI: its KpiView and its monthly rows")
    lead_velocity: list[dict] = _help("rpt_lead_velocity rows of the period's months")
    chart: str = _help("path of the MQLs-per-month SVG")
    funnel: list[dict] = field(
        default_factory=list,
        metadata={
            "help": (
                "rpt_funnel_plan_vs_actual rows of the period: the volumes needed at the "
                "actual rates beside the plan (issue #19)"
            )
        },
    )


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
    restated: list[dict] = field(
        default_factory=list,
        metadata={
            "help": (
                "KPIs of final periods whose figures recomputed today differ from those recorded "
                "when the period closed (history.json), see generator.report.history.restatements"
            )
        },
    )
    changes: list[dict] = field(
        default_factory=list,
        metadata={
            "help": ("every target and term changed while its period ran, newest first, labelled")
        },
    )


@dataclass(frozen=True)
class DefinitionsPage:
    """How every number is computed: definitions, owners and SQL."""

    kpis: list[KpiDefinition] = _help("every KPI definition from the dbt manifest")
    on_track_min: float = _help("attainment at or above which a KPI is on track")
    at_risk_min: float = _help("attainment at or above which a KPI is at risk")
    agreement: dict = field(
        default_factory=dict,
        metadata={
            "help": (
                "rpt_agreements row of the agreement in force: the attribution and owner rules "
                "the figures were made by (issue #19)"
            )
        },
    )


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


# What a site plan lists and render_page renders: one of the page types above.
PageContext = (
    OverviewPage
    | AgreementPage
    | TeamPage
    | RepPage
    | MonthlyPage
    | PlanPage
    | HistoryPage
    | DefinitionsPage
    | DataQualityPage
)
