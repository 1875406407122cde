"""A list that grows with the data, whole, as a CSV file beside its page (issue #23).

At 1M leads the breach queue held 8,000 rows: a 2 MB page nobody reads on a
phone, and most of MkDocs' time. The page lists the first rows (the models'
`is_on_page`) and links this file for the rest. Only the columns named here
are written: lead ids and companies, never a person's name, e-mail or phone.
"""

from __future__ import annotations

import csv
import io

BREACH_QUEUE_COLUMNS = (
    "urgency_order",
    "lead_id",
    "company_name",
    "channel",
    "rep_id",
    "rep_name",
    "mql_local_date",
    "queue_state",
    "deadline_local_at",
    "business_hours_overdue",
    "business_hours_left",
    "is_due_next_business_day",
)
"""rpt_breach_queue columns in the hand-off page's download."""

OVERDUE_COLUMNS = (
    "rep_list_order",
    "lead_id",
    "company_name",
    "channel",
    "mql_local_date",
    "days_since_mql",
    "business_hours_overdue",
    "age_bucket",
)
"""rpt_overdue_mqls columns in a rep page's download."""


def rows_csv(rows: list[dict], columns: tuple[str, ...]) -> str:
    """Return rows as CSV text: a header of the models' column names, values as read."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_value(row[column]) for column in columns])
    return buffer.getvalue()


def _value(value) -> str:
    """Return a value as a spreadsheet reads it: empty for null, true/false for a flag."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
