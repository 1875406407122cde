"""The machine-readable summary of a build (summary.json), for chat and e-mail notifiers.

It says, for the agreement in force: the as-of date, each KPI's value, target
and status, and what changed since the previous published build (read from
the summary.json of the site being replaced). No lead data is in it: only
KPI figures and labels.
"""

from __future__ import annotations

import json
from pathlib import Path

from generator.formats import distinct_figure, number, prose, status_label
from generator.report.kpi_views import KpiView, exceptions_in_order

SUMMARY_NAME = "summary.json"
SCHEMA_VERSION = 1


def read_previous(out_dir: Path) -> dict | None:
    """Return the summary of the currently published site, if it has a readable one."""
    path = out_dir / SUMMARY_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def make_summary(
    agreement: dict,
    kpis: list[KpiView],
    as_of: str,
    built_at: str,
    previous: dict | None,
    term_changes: list[dict] | None = None,
    review: dict | None = None,
) -> dict:
    """Return the summary of this build, with the changes since `previous`.

    `term_changes`: targets and terms changed while the period ran
    (generator.report.terms); `review`: the agreement's rpt_team_verdicts, rpt_rep_handoff
    and rpt_breach_queue rows (issue #20), for the teams, the reps' breaches and
    the news `sla-report notify` posts.
    """
    before = {}
    if previous and previous.get("agreement_id") == agreement["agreement_id"]:
        before = {kpi["id"]: kpi for kpi in previous.get("kpis", [])}
    changes = _status_changes(kpis, before)
    # The exceptions in the models' order (rpt_kpi_scorecard.exception_order,
    # issues #19 and #20): a closed period's misses, then what it could not
    # measure; behind then at risk, worst first.
    exceptions = exceptions_in_order(kpis)
    review = review or {}
    teams = [_team(row) for row in review.get("teams", [])]
    reps = [_rep(row) for row in review.get("reps", [])]
    changed_terms = [_term_change(change, kpis) for change in term_changes or []]
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": as_of,
        "built_at": built_at,
        "agreement_id": agreement["agreement_id"],
        "agreement_title": agreement["title"],
        "period_state": agreement["period_state"],
        "days_left": agreement["days_left"],
        "headline": _headline(agreement, kpis, exceptions, as_of, previous, changes),
        "exceptions": [kpi.kpi_id for kpi in exceptions],
        "teams": teams,
        "kpis": [_entry(kpi) for kpi in kpis],
        "reps": reps,
        "target_changes": changed_terms,
        "changes_since_previous_build": changes,
        "previous_build": (previous or {}).get("built_at"),
        "alerts": _alerts(
            changes,
            reps,
            (previous or {}).get("reps") if before else None,
            [c for c in changed_terms if c["changed_on"] == built_at[:10]],
        ),
        "weekly_digest": _digest(teams, kpis),
    }


def _entry(kpi: KpiView) -> dict:
    """Return one KPI as summary.json lists it: figures, status and the week before."""
    entry = {
        "id": kpi.kpi_id,
        "title": kpi.title,
        "owner": kpi.owner,
        "unit": kpi.unit,
        "value": kpi.actual,
        "target": kpi.target,
        "expected_to_date": kpi.expected_to_date,
        "status": kpi.status,
        "display": kpi.figure,
        "sample_size": kpi.sample_size,
        "is_lower_bound": kpi.is_lower_bound,
        "all_sources": kpi.actual_all_sources,
        "sales_sourced": kpi.actual_sales_sourced,
        # Issue #20: the same KPI a week before, from the same data (rpt_kpi_scorecard).
        "week_before": {
            "as_of": _iso(kpi.week_before_date),
            "value": kpi.actual_week_before,
            "status": kpi.status_week_before,
            "display": kpi.figure_week_before,
            "change": kpi.change_since_week_before,
        },
        "weeks_behind": kpi.weeks_behind,
    }
    if kpi.week_before_missing_because:
        entry["week_before"]["reason"] = kpi.week_before_missing_because
    if kpi.no_data_reason:
        entry["reason"] = kpi.no_data_reason
    # Issue #19: a cohort rate not matured yet, and a closed period's provisional one.
    if kpi.matures_on is not None:
        entry["matures_on"] = kpi.matures_on.isoformat()
    if kpi.provisional_until is not None:
        entry["provisional_until"] = kpi.provisional_until.isoformat()
    return entry


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _status_changes(kpis: list[KpiView], before: dict) -> list[dict]:
    changes = []
    for kpi in kpis:
        old = before.get(kpi.kpi_id)
        if old and old.get("status") != kpi.status:
            changes.append(
                {
                    "id": kpi.kpi_id,
                    "title": kpi.title,
                    "from": old.get("status"),
                    "to": kpi.status,
                    "text": f"{kpi.title}: {status_label(old.get('status', ''))} → "
                    f"{status_label(kpi.status)}",
                }
            )
    return changes


def _headline(
    agreement: dict,
    kpis: list[KpiView],
    exceptions: list[KpiView],
    as_of: str,
    previous: dict | None,
    changes: list[dict],
) -> str:
    revenue = next((k for k in kpis if k.kpi_id == "new_revenue"), None)
    headline = (
        f"SLA report as of {as_of}: {agreement['title']}, day {agreement['elapsed_days']}"
        f" of {agreement['period_days']}."
    )
    if revenue is not None:
        headline += (
            f" New revenue {distinct_figure(revenue.actual, revenue.target, 'currency')}"
            f" of {distinct_figure(revenue.target, None, 'currency')}"
            f" ({status_label(revenue.status)})."
        )
    headline += " " + _verdict(agreement, kpis, exceptions)
    if previous is None:
        return headline + " First build."
    if changes:
        return headline + " Changed: " + "; ".join(c["text"] for c in changes) + "."
    return headline + " No status changed since the last build."


def _team(row: dict) -> dict:
    """Return a team's verdict (rpt_team_verdicts) as summary.json lists it."""
    keys = (
        "verdict",
        "commitments",
        "on_track",
        "at_risk",
        "behind",
        "met",
        "missed",
        "no_data",
        "not_judged",
        "behind_two_weeks_running",
    )
    return {
        "team": row["team"],
        **{key: row[key] for key in keys},
        "headline": {
            "id": row["headline_kpi_id"],
            "value": row["headline_actual"],
            "target": row["headline_target"],
            "status": row["headline_status"],
            "week_before": row["headline_actual_week_before"],
        },
    }


def _rep(row: dict) -> dict:
    """Return a rep's hand-off counts (rpt_rep_handoff): names of reps, never of leads."""
    return {
        "rep_id": row["rep_id"],
        "rep_name": row["rep_name"],
        "overdue_untouched": row["mqls_untouched_past_deadline"],
        "due_next_business_day": row.get("mqls_due_soon"),
        "first_touch_status": row["first_touch_status"],
    }


def _term_change(change: dict, kpis: list[KpiView]) -> dict:
    """Return a recorded target or term change (generator.report.terms) with its sentence."""
    titles = {kpi.kpi_id: kpi.title for kpi in kpis}
    name = titles.get(change["id"], change["id"].replace("_", " "))
    unit = change["unit"]

    def shown(value) -> str:
        return (
            value
            if isinstance(value, str)
            else number(value, unit)
            if unit in ("count", "currency")
            else prose(value, unit)
        )

    what = f"{name} target" if change["kind"] == "target" else name
    return {
        **change,
        "text": f"{what} changed on {change['changed_on']} from "
        f"{shown(change['from'])} to {shown(change['to'])}",
    }


OFF_PACE = ("behind", "at_risk")


def _alerts(
    changes: list[dict], reps: list[dict], reps_before: list[dict] | None, term_changes: list[dict]
) -> dict:
    """Return what `sla-report notify` posts: this build's news, each item with its text.

    Each night compares with the summary published the night before, so an
    alert is posted once: a status that changed, a commitment that fell
    behind pace (news of its own, not repeated under status changes), a rep
    with more MQLs past deadline untouched than the night before, a target
    changed since. What falls due by the end of the next business day is
    tomorrow's work, listed every night it is true. Counts only: no lead data.
    """
    fell = [c for c in changes if c["to"] in OFF_PACE and c["from"] not in OFF_PACE]
    earlier = {rep["rep_id"]: rep["overdue_untouched"] or 0 for rep in reps_before or []}
    new_breaches = []
    for rep in reps:
        added = (rep["overdue_untouched"] or 0) - earlier.get(rep["rep_id"], 0)
        if reps_before is not None and added > 0:
            new_breaches.append(
                {
                    "rep_id": rep["rep_id"],
                    "new": added,
                    "total": rep["overdue_untouched"],
                    "text": f"{rep['rep_name']}: {added} more MQL{'s' if added > 1 else ''} past "
                    f"deadline untouched ({rep['overdue_untouched']} in all)",
                }
            )
    due = [
        {
            "rep_id": rep["rep_id"],
            "due": rep["due_next_business_day"],
            "text": f"{rep['rep_name']}: {rep['due_next_business_day']} MQL"
            f"{'s' if rep['due_next_business_day'] > 1 else ''} due by the end of the "
            "next business day",
        }
        for rep in reps
        if rep.get("due_next_business_day")
    ]
    return {
        "status_changes": [c for c in changes if c not in fell],
        "fell_behind": fell,
        "new_breaches": new_breaches,
        "due_today": due,
        "target_changes": [{"text": c["text"]} for c in term_changes],
    }


def _digest(teams: list[dict], kpis: list[KpiView]) -> list[dict]:
    """Return the weekly digest: each team's verdict, then each KPI's week over week."""
    lines = []
    for team in teams:
        judged = (
            f"{team['met']} met, {team['missed']} missed"
            if team["verdict"] in ("met", "missed")
            else f"{team['on_track'] + team['met']} on track, "
            f"{team['at_risk']} at risk, {team['behind']} behind"
        )
        lines.append(
            {
                "text": f"{team['team'].capitalize()}: {status_label(team['verdict'])}"
                f" ({judged}; {team['no_data']} no data)"
            }
        )
    for kpi in kpis:
        if kpi.actual_week_before is None and not kpi.weeks_behind:
            continue
        line = f"{kpi.title}: {kpi.figure} ({status_label(kpi.status)})"
        if kpi.actual_week_before is not None:
            line += f", a week before {kpi.figure_week_before} ({kpi.change})"
        if kpi.weeks_behind and kpi.weeks_behind >= 2:
            line += f", behind for {kpi.weeks_behind} weeks: needs an owner and an action"
        lines.append({"text": line})
    return lines


def _verdict(agreement: dict, kpis: list[KpiView], exceptions: list[KpiView]) -> str:
    """Return the headline's verdict: a closed period names its misses (issue #19)."""
    total = agreement.get("kpis_total") or len(kpis)
    no_data = agreement.get("kpis_no_data", 0)
    if agreement["period_state"] == "final":
        missed = [kpi.title for kpi in exceptions if kpi.status == "missed"]
        named = f" ({', '.join(missed)})" if missed else ""
        return (
            f"{agreement.get('kpis_missed', len(missed))} of {total} KPIs missed{named}, "
            f"{no_data} no data."
        )
    off_pace = [kpi for kpi in exceptions if kpi.status in ("behind", "at_risk")]
    verdict = f"{len(off_pace)} of {total} KPIs behind or at risk"
    return verdict + (f", {no_data} no data." if no_data else ".")


def write_summary(site_dir: Path, summary: dict) -> Path:
    """Write summary.json into the built site folder (it is published with it)."""
    path = site_dir / SUMMARY_NAME
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
