"""The site plan: every page (path, template, context) and chart, from the report.

The report reaches this module as plain objects (generator.report): rows of
the rpt_ models, KPI definitions and views. Each page's context is a
dataclass of generator.site.contexts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from generator.formats import decimal, distinct_figure, number
from generator.i18n import N_, gettext
from generator.report.data import ReportData, agreement_in_force
from generator.report.kpi_views import KpiView, exceptions_in_order, kpi_views
from generator.report.kpis import KpiDefinition
from generator.site import charts
from generator.site.contexts import (
    AgreementPage,
    DataQualityPage,
    DefinitionsPage,
    HistoryPage,
    MonthlyPage,
    OverviewPage,
    PageContext,
    PlanPage,
    RepPage,
    TeamPage,
)
from generator.site.downloads import BREACH_QUEUE_COLUMNS, OVERDUE_COLUMNS, rows_csv
from generator.site.names import lead_url, nav_title, page_names

SECTION_TITLES = {
    "marketing": N_("Marketing"),
    "handoff": N_("Lead hand-off"),
    "sales": N_("Sales"),
}


def _rows_of(rows: list[dict], agreement_id: str) -> list[dict]:
    """Return the rows of one agreement."""
    return [row for row in rows if row["agreement_id"] == agreement_id]


@dataclass
class SitePlan:
    """Everything to write into the docs folder: pages, chart files, nested navigation."""

    pages: list[tuple[str, str, PageContext]] = field(default_factory=list)
    charts: dict[str, str] = field(default_factory=dict)
    """Chart path -> SVG; each chart has its dark-scheme twin beside it (charts.dark_path)."""
    nav_children: dict[str, list] = field(default_factory=dict)
    """Page path in mkdocs.yml's nav -> the generated pages nested under it."""
    downloads: dict[str, str] = field(default_factory=dict)
    """CSV path -> text: a list that grows with the data, whole, beside its page (issue #23)."""


def _not_listed(rows: list[dict]) -> int:
    """Return how many rows of a list its page leaves out (the models' rows_not_on_page)."""
    return rows[0]["rows_not_on_page"] if rows else 0


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
        rows = [
            r for r in monthly_rows if r["kpi_id"] == kpi.kpi_id and r["month_state"] != "upcoming"
        ]
        if kpi.is_paced:
            values = [r["cumulative_actual"] for r in rows]
            targets = [
                r["cumulative_expected"]
                if r["month_state"] == "current"
                else r["cumulative_target"]
                for r in rows
            ]
            what = gettext("running total against the running target")
        else:
            values = [r["actual"] for r in rows]
            targets = [kpi.target for _ in rows]
            what = gettext("each month against the target")
        values = [None if v is None else float(v) for v in values]
        targets = [None if t is None else float(t) for t in targets]
        lines[kpi.kpi_id] = charts.sparkline(
            values,
            targets,
            gettext("%(kpi)s, month by month: %(what)s")
            % {"kpi": nav_title(kpi.title), "what": what},
        )
    return lines


def _rep_measures(rep: dict, by_id: dict[str, KpiView]) -> list[dict]:
    """Return the rep's hand-off figures beside the target, the team and a status (issue #12).

    Every figure, target and status is a column of rpt_rep_handoff (issue
    #19: the status by the one rule of macros/kpi_status.sql). A rate
    carries its numerator and denominator ("28 of 71 MQLs whose window
    closed"); the team's figure (as printed) is the whole team's KPI, a
    count's the average per rep.
    """
    return _rep_kpi_measures(rep, by_id) + _rep_count_measures(rep)


def _rep_kpi_measures(rep: dict, by_id: dict[str, KpiView]) -> list[dict]:
    """Return the rep's hand-off KPIs, each with its basis, target, team figure and status."""
    measures = []
    due = gettext("MQLs due for a first touch")
    for label, kpi_id, prefix, count, cases, noun in (
        (
            gettext("Touched within the SLA"),
            "first_touch_within_sla_rate",
            "first_touch",
            rep["mqls_touched_within_sla"],
            rep["mqls_due_for_first_touch"],
            due,
        ),
        (
            gettext("Median first touch"),
            "median_first_touch_business_hours",
            "median",
            None,
            rep["mqls_due_for_first_touch"],
            due,
        ),
        (
            gettext("Worked or settled"),
            "mqls_worked_rate",
            "worked",
            rep["mqls_worked"],
            rep["mqls_touch_window_closed"],
            gettext("MQLs whose touch window closed"),
        ),
    ):
        kpi = by_id.get(kpi_id)
        if kpi is None:
            continue
        value = rep[kpi_id]
        basis = _rep_basis(rep, prefix, count, cases, noun)
        shown = distinct_figure(value, rep[f"{prefix}_target"], kpi.unit)
        if prefix == "median" and rep["is_median_lower_bound"] and value is not None:
            shown = f"≥ {shown}"
            basis += "; " + gettext("a lower bound while due MQLs are untouched")
        measures.append(
            {
                "label": label,
                "kpi_id": kpi_id,
                "unit": kpi.unit,
                "value": value,
                "shown": shown,
                "basis": basis,
                "target": rep[f"{prefix}_target"],
                "team": kpi.figure,
                "team_basis": kpi.basis,
                "status": rep[f"{prefix}_status"],
            }
        )
    return measures


def _rep_basis(rep: dict, prefix: str, count, cases, noun: str) -> str:
    """Return what a rep's rate or median is computed over ("28 of 71 MQLs ...")."""
    basis = (
        gettext("%(count)s of %(cases)s %(noun)s")
        % {"count": number(count), "cases": number(cases), "noun": noun}
        if count is not None
        else gettext("over %(cases)s %(noun)s") % {"cases": number(cases), "noun": noun}
    )
    if prefix == "worked" and rep["mqls_worked"] is not None:
        basis += "; " + gettext(
            "%(first)s worked to protocol, %(second)s settled early (converted or disqualified)"
        ) % {
            "first": number(rep["mqls_worked_by_attempts"]),
            "second": number(rep["mqls_settled_early"]),
        }
    return basis


def _rep_count_measures(rep: dict) -> list[dict]:
    """Return the rep's MQL counts beside the team's average per rep."""
    measures = []
    for label, column, average in (
        (gettext("MQLs assigned"), "mqls_assigned", "team_average_mqls_assigned"),
        (
            gettext("Untouched past deadline"),
            "mqls_untouched_past_deadline",
            "team_average_untouched_past_deadline",
        ),
    ):
        measures.append(
            {
                "label": label,
                "kpi_id": None,
                "unit": "count",
                "value": rep[column],
                "shown": number(rep[column]),
                "basis": "",
                "target": None,
                "team": "–" if rep[average] is None else decimal(rep[average]),
                "team_basis": gettext("average of %(reps)s reps")
                % {"reps": number(rep["team_reps"])},
                "status": None,
            }
        )
    return measures


def _period_velocity(data: ReportData, agreement: dict) -> list[dict]:
    start = agreement["period_start_date"].replace(day=1)
    return [
        row
        for row in data.lead_velocity
        if start <= row["month_start_date"] <= agreement["period_end_date"]
    ]


def handoff_note(agreement: dict) -> str:
    """Return why the hand-off clock cannot run, in the site's language ('' when it can)."""
    why = agreement.get("handoff_clock_missing_because")
    return gettext(HANDOFF_REASON) % {"why": why} if why else ""


HANDOFF_REASON = N_(
    "The hand-off clock cannot run without lead activities (%(why)s): no MQL "
    "is listed as overdue and no touch rate is shown."
)


@dataclass(frozen=True)
class SiteInput:
    """What the site is made from: the report as plain objects, and the build's texts."""

    data: ReportData
    definitions: list[KpiDefinition]
    agreement_bodies: dict[str, tuple[str, str]]
    """agreement_id -> (repository path of its text, the text rendered with live figures)."""
    thresholds: tuple[float, float]
    """The attainment at or above which a KPI is on track, and at risk."""
    raw_source: str
    """Where the raw rows came from, in words."""
    tests: list[dict]
    """Every dbt data and unit test with its status (generator.report.data.test_results)."""
    dbt_seconds: float
    restated: dict[str, list[dict]] = field(default_factory=dict)
    """Per final agreement, the KPIs whose recomputed figures differ from those recorded
    when it closed (generator.report.history.restatements)."""
    crm_links: dict | None = None
    """crm_source.yml's lead URL template (issue #20), or None."""
    term_changes: list[dict] = field(default_factory=list)
    """Targets and terms changed while a period ran (generator.report.terms)."""


@dataclass(frozen=True)
class _InForce:
    """The agreement in force and its KPIs, which most pages show."""

    agreement: dict
    kpis: list[KpiView]
    by_id: dict[str, KpiView]

    @property
    def agreement_id(self) -> str:
        """Return the id of the agreement in force."""
        return self.agreement["agreement_id"]


def plan_site(site: SiteInput) -> SitePlan:
    """Return every page (path, template, context) and chart of the site."""
    plan = SitePlan()
    current = agreement_in_force(site.data.agreements)
    kpis = kpi_views(site.data, site.definitions, current["agreement_id"])
    in_force = _InForce(current, kpis, {kpi.kpi_id: kpi for kpi in kpis})
    changes = labelled_changes(site.term_changes, site.definitions)
    restated = _restated_in_site_language(site)
    _add_overview(plan, site.data, in_force)
    _add_agreements(plan, site, in_force, changes, restated)
    _add_team_pages(plan, site, in_force)
    _add_rep_pages(plan, site.data, in_force)
    _add_monthly(plan, site.data, in_force)
    _add_plan_vs_actual(plan, site.data)
    plan.pages.append(
        (
            "history.md",
            "history.md.j2",
            replace(
                _history(site.data, site.definitions),
                restated=[
                    r for a in site.data.agreements for r in restated.get(a["agreement_id"], [])
                ],
                changes=changes,
            ),
        )
    )
    plan.pages.append(
        (
            "definitions.md",
            "definitions.md.j2",
            DefinitionsPage(
                kpis=site.definitions,
                on_track_min=site.thresholds[0],
                at_risk_min=site.thresholds[1],
                agreement=current,
            ),
        )
    )
    plan.pages.append(("data-quality.md", "data_quality.md.j2", _data_quality(site)))
    return plan


def _restated_in_site_language(site: SiteInput) -> dict[str, list[dict]]:
    """Return the restated KPIs with their titles in the site's language.

    The record keeps each KPI's title as it closed; pages show it in the
    site's language.
    """
    titles = {d.kpi_id: d.text("title") for d in site.definitions}
    return {
        agreement_id: [{**row, "title": titles.get(row["kpi_id"], row["title"])} for row in rows]
        for agreement_id, rows in site.restated.items()
    }


def _add_overview(plan: SitePlan, data: ReportData, in_force: _InForce) -> None:
    """Add the landing page, its revenue chart, and the history's nested navigation."""
    current, current_id = in_force.agreement, in_force.agreement_id
    revenue = in_force.by_id["new_revenue"]
    revenue_chart = f"charts/revenue-pace-{current_id}.svg"
    _add_chart(
        plan,
        revenue_chart,
        charts.revenue_pace(
            _rows_of(data.revenue_pace, current_id),
            current["revenue_goal"],
            revenue.projected if current["period_state"] == "in_progress" else None,
            current["period_end_date"],
        ),
    )
    # Issue #19: the models rank the exceptions (a closed period names its
    # misses, then what it could not measure); the page keeps their order.
    off_pace = exceptions_in_order(in_force.kpis)
    previous = [
        a for a in data.agreements if a["agreement_id"] == current.get("previous_agreement_id")
    ]
    plan.pages.append(
        (
            "index.md",
            "overview.md.j2",
            OverviewPage(
                agreement=current,
                kpis=in_force.kpis,
                revenue=revenue,
                off_pace=off_pace,
                revenue_chart=revenue_chart,
                sections={key: gettext(title) for key, title in SECTION_TITLES.items()},
                previous=previous[0] if previous else None,
                teams=_rows_of(data.teams, current_id),
                sparklines=_sparklines(in_force.kpis, _rows_of(data.monthly, current_id)),
            ),
        )
    )
    plan.nav_children["history.md"] = [
        {nav_title(a["title"]): f"agreements/{a['agreement_id']}.md"}
        for a in reversed(data.agreements)
    ]


def _add_agreements(
    plan: SitePlan,
    site: SiteInput,
    in_force: _InForce,
    changes: list[dict],
    restated: dict[str, list[dict]],
) -> None:
    """Add a page per agreement period, and the agreement in force at agreement.md."""
    for agreement in site.data.agreements:
        agreement_id = agreement["agreement_id"]
        source_path, body = site.agreement_bodies[agreement_id]
        for path, root in ((f"agreements/{agreement_id}.md", "../"), ("agreement.md", "")):
            if path == "agreement.md" and agreement_id != in_force.agreement_id:
                continue
            plan.pages.append(
                (
                    path,
                    "agreement.md.j2",
                    AgreementPage(
                        agreement=agreement,
                        body=body,
                        kpis=kpi_views(site.data, site.definitions, agreement_id),
                        source_path=source_path,
                        is_in_force=agreement_id == in_force.agreement_id,
                        root=root,
                        restated=restated.get(agreement_id, []),
                        changes=[c for c in changes if c["agreement_id"] == agreement_id],
                    ),
                )
            )


def _weekly_charts(data: ReportData, in_force: _InForce) -> dict[str, tuple[str, str, str]]:
    """Return section -> (caption, file slug, SVG) of each team page's weekly chart."""
    current = in_force.agreement
    weekly = _rows_of(data.weekly, in_force.agreement_id)
    first_touch = in_force.by_id.get("first_touch_within_sla_rate")
    # The weeks the period and the data cover: a week cut by either is partial.
    span = {"first": current["period_start_date"], "last": current["evaluated_through_date"]}
    return {
        "marketing": (
            gettext("MQLs delivered per week"),
            "weekly-mqls",
            charts.weekly_bars(weekly, "mqls", gettext("MQLs"), **span),
        ),
        "handoff": (
            gettext("Share of due MQLs touched within the SLA, per week"),
            "weekly-first-touch",
            charts.weekly_rate(
                weekly,
                "first_touch_within_sla_rate",
                gettext("Touched within SLA"),
                first_touch.target if first_touch else None,
                **span,
            ),
        ),
        "sales": (
            gettext("New-business revenue booked per week"),
            "weekly-revenue",
            charts.weekly_bars(
                weekly, "new_revenue", gettext("Revenue"), charts.CURRENCY_FORMAT, **span
            ),
        ),
    }


def _add_team_pages(plan: SitePlan, site: SiteInput, in_force: _InForce) -> None:
    """Add the marketing, hand-off and sales pages, each with its weekly chart."""
    data, current, current_id = site.data, in_force.agreement, in_force.agreement_id
    deals = _rows_of(data.deals, current_id)
    buckets = _rows_of(data.overdue_buckets, current_id)
    team_rows = _rows_of(data.reps, current_id)
    rep_pages = page_names(rep["rep_id"] for rep in team_rows)
    queue = _rows_of(data.breach_queue, current_id)
    queue_csv = f"breach-queue-{current_id}.csv"
    plan.downloads[queue_csv] = rows_csv(queue, BREACH_QUEUE_COLUMNS)
    for section, (caption, slug, svg) in _weekly_charts(data, in_force).items():
        path = f"charts/{slug}-{current_id}.svg"
        _add_chart(plan, path, svg)
        plan.pages.append(
            (
                f"{section}.md",
                f"{section}.md.j2",
                TeamPage(
                    title=gettext(SECTION_TITLES[section]),
                    section=section,
                    agreement=current,
                    kpis=[k for k in in_force.kpis if k.section == section],
                    charts=[(caption, path)],
                    channels=_rows_of(data.channels, current_id),
                    reps=team_rows,
                    rep_pages=rep_pages,
                    lost_reasons=_rows_of(data.lost_reasons, current_id),
                    top_wins=[d for d in deals if d["outcome"] == "won" and d["amount_rank"] <= 10],
                    rejections=_rows_of(data.rejection_reasons, current_id),
                    lead_velocity=_period_velocity(data, current),
                    overdue_buckets=[b for b in buckets if b["rep_id"] is None],
                    root="",
                    handoff_note=handoff_note(current),
                    breach_queue=[
                        {**row, "crm_url": lead_url(site.crm_links, row["lead_id"])}
                        for row in queue
                        if row["is_on_page"]
                    ],
                    breach_queue_not_listed=_not_listed(queue),
                    breach_queue_csv=queue_csv,
                ),
            )
        )


def _add_rep_pages(plan: SitePlan, data: ReportData, in_force: _InForce) -> None:
    """Add a page per sales rep of the agreement in force.

    Rep pages are reached from the hand-off page's rep table and from the
    search, not from the navigation: the theme copies the whole navigation
    into every page, so 500 reps in it would make the site grow with
    pages x reps (issue #8).
    """
    current, current_id = in_force.agreement, in_force.agreement_id
    team_rows = _rows_of(data.reps, current_id)
    rep_pages = page_names(rep["rep_id"] for rep in team_rows)
    buckets = _rows_of(data.overdue_buckets, current_id)
    overdue_by_rep: dict[str, list[dict]] = {}
    for row in _rows_of(data.overdue, current_id):
        overdue_by_rep.setdefault(row["rep_id"], []).append(row)
    for rep in team_rows:
        overdue = overdue_by_rep.get(rep["rep_id"], [])
        overdue_csv = f"reps/{rep_pages[rep['rep_id']]}.csv"
        if overdue:
            plan.downloads[overdue_csv] = rows_csv(overdue, OVERDUE_COLUMNS)
        plan.pages.append(
            (
                f"reps/{rep_pages[rep['rep_id']]}.md",
                "rep.md.j2",
                RepPage(
                    agreement=current,
                    rep=rep,
                    overdue=[row for row in overdue if row["is_on_page"]],
                    overdue_not_listed=_not_listed(overdue),
                    overdue_csv=overdue_csv.removeprefix("reps/"),
                    overdue_buckets=[b for b in buckets if b["rep_id"] == rep["rep_id"]],
                    root="../",
                    # Not in the navigation (issue #8), so MkDocs would take the
                    # <title> from the heading's text, unescaped: name it here.
                    title=nav_title(rep["rep_name"]),
                    handoff_note=handoff_note(current),
                    measures=_rep_measures(rep, in_force.by_id),
                ),
            )
        )


def _add_monthly(plan: SitePlan, data: ReportData, in_force: _InForce) -> None:
    """Add the month-by-month page of the agreement in force and its MQL chart."""
    current, current_id = in_force.agreement, in_force.agreement_id
    monthly_rows = _rows_of(data.monthly, current_id)
    months = sorted({(r["month_start_date"], r["month_state"]) for r in monthly_rows})
    per_kpi = [
        (kpi, {"kpi": kpi, "months": [r for r in monthly_rows if r["kpi_id"] == kpi.kpi_id]})
        for kpi in in_force.kpis
    ]
    monthly_chart = f"charts/monthly-mqls-{current_id}.svg"
    _add_chart(
        plan,
        monthly_chart,
        charts.monthly_actual_vs_target(
            [r for r in monthly_rows if r["kpi_id"] == "mqls"], gettext("MQLs")
        ),
    )
    plan.pages.append(
        (
            "monthly.md",
            "monthly.md.j2",
            MonthlyPage(
                agreement=current,
                months=[{"month_start_date": m, "month_state": state} for m, state in months],
                volumes=[entry for kpi, entry in per_kpi if kpi.is_paced],
                rates=[entry for kpi, entry in per_kpi if not kpi.is_paced],
                lead_velocity=_period_velocity(data, current),
                chart=monthly_chart,
                funnel=_rows_of(data.funnel, current_id),
            ),
        )
    )


def _add_plan_vs_actual(plan: SitePlan, data: ReportData) -> None:
    """Add the reverse funnel of every period, newest first, each with its chart."""
    periods = []
    for agreement in reversed(data.agreements):
        funnel = _rows_of(data.funnel, agreement["agreement_id"])
        path = f"charts/funnel-{agreement['agreement_id']}.svg"
        _add_chart(plan, path, charts.funnel_attainment(funnel))
        periods.append({"agreement": agreement, "funnel": funnel, "chart": path})
    plan.pages.append(("plan-vs-actual.md", "plan.md.j2", PlanPage(periods=periods)))


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
        label = (
            titles.get(change["id"], change["id"])
            if change["kind"] == "target"
            else gettext(terms[change["id"]])
            if change["id"] in terms
            else gettext(_END_DATE)
            if change["id"] == "period_end_date"
            else change["id"].replace("_", " ")
        )
        values = {key: _recorded_value(change[key], change["unit"]) for key in ("from", "to")}
        labelled.append(
            {
                **change,
                **values,
                "label": label,
                "changed_on": date.fromisoformat(change["changed_on"]),
            }
        )
    return sorted(labelled, key=lambda c: c["changed_on"], reverse=True)


_END_DATE = N_("Last day of the period")


def _recorded_value(value: object, unit: str) -> object:
    """Return a value as history.json records it, a date as a date (for the `day` filter)."""
    return date.fromisoformat(value) if unit == "date" and isinstance(value, str) else value


def _history(data: ReportData, definitions: list[KpiDefinition]) -> HistoryPage:
    views = {
        a["agreement_id"]: {k.kpi_id: k for k in kpi_views(data, definitions, a["agreement_id"])}
        for a in data.agreements
    }
    kpi_rows = [
        {
            "title": d.text("title"),
            "unit": d.unit,
            "kpi_id": d.kpi_id,
            "cells": [views[a["agreement_id"]].get(d.kpi_id) for a in data.agreements],
        }
        for d in definitions
    ]
    term_rows = [
        {
            "label": gettext(label),
            "unit": unit,
            "values": [a[key] for a in data.agreements],
            "changed": len({a[key] for a in data.agreements}) > 1,
        }
        for label, key, unit in TERMS
    ]
    return HistoryPage(agreements=data.agreements, kpi_rows=kpi_rows, term_rows=term_rows)


def _data_quality(site: SiteInput) -> DataQualityPage:
    counts: dict[str, int] = {}
    for test in site.tests:
        counts[test["status"]] = counts.get(test["status"], 0) + 1
    data = site.data
    return DataQualityPage(
        tables=data.data_quality,
        rejected=data.rejected,
        flagged=data.flagged,
        masked=data.masked,
        warnings=data.warnings,
        test_counts=counts,
        tests=site.tests,
        report_row_counts=data.report_row_counts,
        dbt_seconds=site.dbt_seconds,
        raw_source=site.raw_source,
    )
