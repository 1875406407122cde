"""The report models the site shows, read once after dbt has finished.

Every figure, status and reason is a column of an rpt_ model; this module
only reads the rows (through generator.dbt.warehouse) and hands them on as
plain objects, so the site never talks to the warehouse or to dbt.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    "flagged": (
        "rpt_flagged_values_summary",
        "raw_table, is_unknown_category, rows_flagged desc, column_name, flag_reason",
    ),
    "monthly": ("rpt_kpi_monthly", "agreement_id, kpi_order, month_start_date"),
    "lead_velocity": ("rpt_lead_velocity", "month_start_date"),
    "overdue": ("rpt_overdue_mqls", "agreement_id, rep_id, rep_list_order"),
    "rejections": ("rpt_mql_rejections", "agreement_id, mqls_rejected desc, rejection_reason"),
    "warnings": ("rpt_data_warnings", "warning_type, subject"),
    "lost_reasons": ("rpt_lost_reasons", "agreement_id, reason_order"),
    "rejection_reasons": ("rpt_mql_rejection_reasons", "agreement_id, reason_order"),
    "overdue_buckets": ("rpt_overdue_age_buckets", "agreement_id, rep_id, age_bucket_order"),
}


SHOWN_ROWS = {"deals": "outcome = 'won' and amount_rank <= 10"}
"""Models the site shows only some rows of: only those are read (issue #23: at 1M
leads rpt_deal_outcomes has 117,000 rows, for the sales page's ten largest wins)."""


def load_report_data(warehouse) -> ReportData:
    """Return every report model as rows (the warehouse module does the reading)."""
    loaded = {
        name: warehouse.rows(model, order_by, SHOWN_ROWS.get(name))
        for name, (model, order_by) in REPORT_MODELS.items()
    }
    counts = {
        model: warehouse.count(model) if name in SHOWN_ROWS else len(loaded[name])
        for name, (model, _) in REPORT_MODELS.items()
    }
    return ReportData(**loaded, report_row_counts=counts)


def agreement_in_force(agreements: list[dict]) -> dict:
    """Return the agreement whose period holds the as-of date, else the latest started."""
    current = [a for a in agreements if a["period_state"] == "in_progress"]
    if current:
        return current[0]
    started = [a for a in agreements if a["period_state"] == "final"]
    return started[-1] if started else agreements[0]


def test_results(results) -> list[dict]:
    """Return every data test (each check of a model's `checks` test) and unit test with
    its status, failures first.

    `results` are the dbt build's node results (generator.dbt.runner.NodeResult).
    Issue #23: a model's column checks run as one dbt test, so each check is
    listed (and counted) by itself, as `model: check`.
    """
    tests = []
    for r in results:
        if r.resource_type not in ("test", "unit_test"):
            continue
        kind = "unit test" if r.resource_type == "unit_test" else "data test"
        if not r.checks:
            tests.append({"name": r.name, "type": kind, "status": r.status, "failures": r.failures})
            continue
        model = r.name.removesuffix(" checks")
        failing = dict(r.failing_checks)
        for check in r.checks:
            status = r.status if r.status != "fail" else ("fail" if check in failing else "pass")
            tests.append(
                {
                    "name": f"{model}: {check}",
                    "type": kind,
                    "status": status,
                    "failures": failing.get(check, 0) if r.status in ("pass", "fail") else None,
                }
            )
    tests.sort(key=lambda t: (t["status"] == "pass", t["type"], t["name"]))
    return tests
