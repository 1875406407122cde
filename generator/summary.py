"""The machine-readable summary of a build (summary.json), for chat and e-mail notifiers.

It says, for the agreement in force: the as-of date, each KPI's value, target
and status, and what changed since the previous published build (read from
the summary.json of the site being replaced). No lead data is in it: only
KPI figures and labels.
"""

from __future__ import annotations

import json
from pathlib import Path

from generator.pages import KpiView
from generator.render import distinct_figure, status_label

SUMMARY_NAME = "summary.json"
SCHEMA_VERSION = 1


def read_previous(out_dir: Path) -> dict | None:
    """Return the summary of the currently published site, if it has a readable one."""
    path = out_dir / SUMMARY_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def make_summary(agreement: dict, kpis: list[KpiView], as_of: str, built_at: str,
                 previous: dict | None) -> dict:
    """Return the summary of this build, with the changes since `previous`."""
    before = {}
    if previous and previous.get("agreement_id") == agreement["agreement_id"]:
        before = {kpi["id"]: kpi for kpi in previous.get("kpis", [])}
    entries, changes = [], []
    for kpi in kpis:
        entries.append({
            "id": kpi.kpi_id, "title": kpi.title, "owner": kpi.owner, "unit": kpi.unit,
            "value": kpi.actual, "target": kpi.target, "expected_to_date": kpi.expected_to_date,
            "status": kpi.status, "display": kpi.figure, "sample_size": kpi.sample_size,
            "is_lower_bound": kpi.is_lower_bound, "all_sources": kpi.actual_all_sources,
            "sales_sourced": kpi.actual_sales_sourced,
        })
        if kpi.no_data_reason:
            entries[-1]["reason"] = kpi.no_data_reason
        # Issue #19: a cohort rate not matured yet, and a closed period's provisional one.
        if kpi.matures_on is not None:
            entries[-1]["matures_on"] = kpi.matures_on.isoformat()
        if kpi.provisional_until is not None:
            entries[-1]["provisional_until"] = kpi.provisional_until.isoformat()
        old = before.get(kpi.kpi_id)
        if old and old.get("status") != kpi.status:
            changes.append({"id": kpi.kpi_id, "title": kpi.title, "from": old.get("status"),
                            "to": kpi.status,
                            "text": f"{kpi.title}: {status_label(old.get('status', ''))} → "
                                    f"{status_label(kpi.status)}"})
    # The exceptions in the models' order (rpt_kpi_scorecard.exception_rank,
    # issue #19): a closed period's misses, then what it could not measure.
    exceptions = [kpi for kpi in sorted(kpis, key=lambda k: (k.exception_rank or 0, k.title))
                  if kpi.exception_rank is not None]
    revenue = next((k for k in kpis if k.kpi_id == "new_revenue"), None)
    headline = f"SLA report as of {as_of}: {agreement['title']}, day {agreement['elapsed_days']}" \
               f" of {agreement['period_days']}."
    if revenue is not None:
        headline += (f" New revenue {distinct_figure(revenue.actual, revenue.target, 'currency')}"
                     f" of {distinct_figure(revenue.target, None, 'currency')}"
                     f" ({status_label(revenue.status)}).")
    headline += " " + _verdict(agreement, kpis, exceptions)
    if previous is None:
        headline += " First build."
    elif changes:
        headline += " Changed: " + "; ".join(change["text"] for change in changes) + "."
    else:
        headline += " No status changed since the last build."
    return {
        "schema_version": SCHEMA_VERSION,
        "alerts": _alerts(changes),
        "as_of": as_of,
        "built_at": built_at,
        "agreement_id": agreement["agreement_id"],
        "agreement_title": agreement["title"],
        "period_state": agreement["period_state"],
        "days_left": agreement["days_left"],
        "headline": headline,
        "exceptions": [kpi.kpi_id for kpi in exceptions],
        "kpis": entries,
        "changes_since_previous_build": changes,
        "previous_build": (previous or {}).get("built_at"),
    }


OFF_PACE = ("behind", "at_risk")


def _alerts(changes: list[dict]) -> dict:
    """Return what `sla-report notify` posts: this build's news, each item with its text.

    A KPI that moved behind or at risk is news of its own ("fell behind
    pace"); every other status change is listed once under status changes.
    """
    fell = [c for c in changes if c["to"] in OFF_PACE and c["from"] not in OFF_PACE]
    return {"status_changes": [c for c in changes if c not in fell], "fell_behind": fell}


def _verdict(agreement: dict, kpis: list[KpiView], exceptions: list[KpiView]) -> str:
    """Return the headline's verdict: a closed period names its misses (issue #19)."""
    total = agreement.get("kpis_total") or len(kpis)
    no_data = agreement.get("kpis_no_data", 0)
    if agreement["period_state"] == "final":
        missed = [kpi.title for kpi in exceptions if kpi.status == "missed"]
        named = f" ({', '.join(missed)})" if missed else ""
        return f"{agreement.get('kpis_missed', len(missed))} of {total} KPIs missed{named}, " \
               f"{no_data} no data."
    off_pace = [kpi for kpi in exceptions if kpi.status in ("behind", "at_risk")]
    verdict = f"{len(off_pace)} of {total} KPIs behind or at risk"
    return verdict + (f", {no_data} no data." if no_data else ".")


def write_summary(site_dir: Path, summary: dict) -> Path:
    """Write summary.json into the built site folder (it is published with it)."""
    path = site_dir / SUMMARY_NAME
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
