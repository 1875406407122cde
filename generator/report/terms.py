"""What changed in an agreement while it ran: targets and terms, with the day seen (issue #20).

Raising a target from 50% to 70% mid-period used to leave no trace: the site
showed the new target as if it had always been there. Every build now
records, in history.json beside the closed periods, the targets and terms of
every agreement not yet closed (`in_force`), and compares them with the
record of the build before (read back from the published site, as the
closed periods are). Each difference is kept in `term_changes`, oldest
first, with the day it was first seen; the Agreement page, History and
summary.json show them. The targets are the scorecard's (rpt_kpi_scorecard),
the terms the agreement's (rpt_agreements): nothing is computed here, only
compared with what was published.
"""

from __future__ import annotations

import math

# The agreement's own terms that a team edits (sla_agreements.csv), with units.
TERM_UNITS = {
    "revenue_goal": "currency",
    "marketing_revenue_share": "rate",
    "average_deal_size": "currency",
    "visit_to_lead_rate": "rate",
    "lead_to_mql_rate": "rate",
    "mql_to_sql_rate": "rate",
    "sql_to_opportunity_rate": "rate",
    "opportunity_to_proposal_rate": "rate",
    "proposal_to_win_rate": "rate",
    "first_touch_business_hours": "hours",
    "min_touch_attempts": "count",
    "touch_window_days": "days",
    "period_end_date": "date",
}


def _plain(value: object) -> object:
    if value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    return str(value)  # dates


def _record(agreement: dict, scorecard: list[dict]) -> dict:
    targets = {
        row["kpi_id"]: {"value": _plain(row["target"]), "unit": row["unit"]}
        for row in scorecard
        if row["agreement_id"] == agreement["agreement_id"]
    }
    terms = {
        key: {"value": _plain(agreement.get(key)), "unit": unit} for key, unit in TERM_UNITS.items()
    }
    return {"title": agreement["title"], "targets": targets, "terms": terms}


def _differs(old: object, new: object) -> bool:
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        return not math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12)
    return old != new


def _changes(agreement_id: str, old: dict, new: dict, seen_on: str) -> list[dict]:
    found = []
    for kind in ("targets", "terms"):
        for item, figure in new[kind].items():
            before = old.get(kind, {}).get(item)
            if before is not None and _differs(before["value"], figure["value"]):
                found.append(
                    {
                        "agreement_id": agreement_id,
                        "kind": kind[:-1],
                        "id": item,
                        "unit": figure["unit"],
                        "from": before["value"],
                        "to": figure["value"],
                        "changed_on": seen_on,
                    }
                )
    return found


def record_term_changes(
    history: dict,
    previous: dict | None,
    agreements: list[dict],
    scorecard: list[dict],
    built_at: str,
) -> dict:
    """Return the record with this build's `in_force` terms and every `term_changes` since.

    Only agreements not yet closed are watched: a closed period's figures are
    fixed as closed (generator.report.history), its targets with them.
    """
    before = (previous or {}).get("in_force", {})
    changes = list((previous or {}).get("term_changes", []))
    in_force = {}
    for agreement in agreements:
        if agreement["period_state"] == "final":
            continue
        record = _record(agreement, scorecard)
        old = before.get(agreement["agreement_id"])
        if old is not None:
            changes += _changes(agreement["agreement_id"], old, record, built_at[:10])
        in_force[agreement["agreement_id"]] = record
    return {**history, "in_force": in_force, "term_changes": changes}


def changes_of(history: dict, agreement_id: str | None = None) -> list[dict]:
    """Return the recorded changes, of one agreement or all, newest first."""
    changes = [
        c
        for c in history.get("term_changes", [])
        if agreement_id is None or c["agreement_id"] == agreement_id
    ]
    return sorted(changes, key=lambda c: c["changed_on"], reverse=True)
