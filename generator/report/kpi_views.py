"""One KPI of one agreement period as pages, agreement texts and summary.json print it:
its definition (meta.kpi) joined to its rpt_kpi_scorecard row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from generator.formats import day, distinct_figure, no_data_reason, number, signed_change
from generator.i18n import gettext
from generator.report.data import ReportData
from generator.report.kpis import KpiDefinition


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
    matures_on: date | None = None
    """A cohort rate not matured yet (status maturing): the day it matures."""
    provisional_until: date | None = None
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
    week_before_date: date | None = None
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
            parts.append(
                gettext("so far, of %(count)s %(noun)s; matures on %(day)s")
                % {
                    "count": number(self.sample_size),
                    "noun": self.spec.text("maturing_noun") or gettext("cases"),
                    "day": day(self.matures_on),
                }
            )
        elif self.sample_size is not None:
            parts.append(
                gettext("of %(count)s %(noun)s")
                % {"count": number(self.sample_size), "noun": self.sample_noun or gettext("cases")}
            )
        if self.split_first is not None and self.split_second is not None:
            parts.append(
                gettext(
                    "%(first)s worked to protocol, %(second)s settled early "
                    "(converted or disqualified)"
                )
                % {"first": number(self.split_first), "second": number(self.split_second)}
            )
        if self.actual_sales_sourced is not None:
            parts.append(
                gettext("sales-sourced: %(count)s")
                % {"count": number(self.actual_sales_sourced, self.unit)}
            )
        if self.actual_all_sources is not None:
            parts.append(
                gettext("all sources: %(count)s")
                % {"count": number(self.actual_all_sources, self.unit)}
            )
        if self.is_lower_bound:
            parts.append(gettext("a lower bound while due MQLs are untouched"))
        if self.provisional_until is not None:
            parts.append(
                gettext("provisional until %(day)s, when the cohort has matured")
                % {"day": day(self.provisional_until)}
            )
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


def exceptions_in_order(kpis: list[KpiView]) -> list[KpiView]:
    """Return the KPIs the models name as exceptions, in the models' order (worst first)."""
    ranked = [(kpi.exception_order, kpi) for kpi in kpis if kpi.exception_order is not None]
    return [kpi for _, kpi in sorted(ranked, key=lambda pair: pair[0])]


def kpi_views(
    data: ReportData, definitions: list[KpiDefinition], agreement_id: str
) -> list[KpiView]:
    """Return the KPIs of one agreement, joined to their definitions."""
    by_id = {d.kpi_id: d for d in definitions}
    views = []
    for row in data.scorecard:
        if row["agreement_id"] != agreement_id or row["kpi_id"] not in by_id:
            continue
        views.append(
            KpiView(
                spec=by_id[row["kpi_id"]],
                actual=row["actual"],
                target=row["target"],
                target_source=row["target_source"],
                expected_to_date=row["expected_to_date"],
                projected=row["projected"],
                gap_to_expected=row["gap_to_expected"],
                status=row["status"],
                is_target_met=bool(row["is_target_met"]),
                needed_rest_of_period=row["needed_rest_of_period"],
                needed_this_month=row["needed_this_month"],
                sample_size=row["sample_size"],
                min_sample=row["min_sample"],
                actual_all_sources=row["actual_all_sources"],
                is_lower_bound=bool(row["is_lower_bound"]),
                period_state=row["period_state"],
                no_data_reason=row.get("no_data_reason") or "",
                matures_on=row.get("matures_on"),
                provisional_until=row.get("provisional_until"),
                actual_sales_sourced=row.get("actual_sales_sourced"),
                split_first=row.get("split_first"),
                split_second=row.get("split_second"),
                exception_rank=row.get("exception_rank"),
                exception_order=row.get("exception_order"),
                week_before_date=row.get("week_before_date"),
                actual_week_before=row.get("actual_week_before"),
                status_week_before=row.get("status_week_before"),
                is_lower_bound_week_before=bool(row.get("is_lower_bound_week_before")),
                change_since_week_before=row.get("change_since_week_before"),
                weeks_behind=row.get("weeks_behind"),
                week_before_missing_because=row.get("week_before_missing_because") or "",
            )
        )
    return views
