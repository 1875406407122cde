"""Create the next agreement period: a row in sla_agreements.csv and a copy of its text.

The seeds are the team's source of truth, so these commands edit them in
place (review the change in git like any other). Periods never overlap; a gap
between periods is allowed and shown on the History page.
"""

from __future__ import annotations

import csv
import io
import math
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from generator.exceptions import ConfigError
from generator.inputs.reference_seeds import check_agreements
from generator.site.agreement_text import AGREEMENT_ID, agreement_text_path

AGREEMENTS_SEED = Path("seeds") / "reference" / "sla_agreements.csv"
TARGETS_SEED = Path("seeds") / "reference" / "sla_targets.csv"


@dataclass(frozen=True)
class NewAgreement:
    """What `agreement new` or `agreement reset` did."""

    agreement_id: str
    starts_on: date
    ends_on: date
    text_path: Path
    gap_days_before: int | None
    ended_early: str | None = None


def parse_date(text: str, option: str) -> date:
    """Return a date from YYYY-MM-DD, or a ConfigError naming the option."""
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise ConfigError(f"{option} must be a date like 2016-01-01, not {text!r}") from error


def parse_amount(text: str | float, option: str) -> str:
    """Return a positive amount as plain decimal text, exactly as given (no float rounding).

    `1234567` stays `1234567`: formatting through a float once wrote
    `1.23457e+06`, and History then showed $1,234,570 (issue #11).
    """
    written = str(text).strip().replace("_", "")
    try:
        amount = Decimal(written)
    except InvalidOperation as error:
        raise ConfigError(f"{option} must be a number like 1200000, not {text!r}") from error
    # A float must hold it too: the seed is read as one (1e400 was written,
    # then every later command refused the file, issue #24).
    if not amount.is_finite() or amount <= 0 or not math.isfinite(float(amount)):
        raise ConfigError(f"{option} must be a positive number, not {text!r}")
    # Plain notation: '1.2e6' becomes '1200000', a float's '1200000.0' stays exact.
    plain = format(amount, "f")
    return plain.rstrip("0").rstrip(".") if "." in plain else plain


def _read(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, columns: list[str], rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _check_no_overlap(rows: list[dict], new_id: str, starts: date, ends: date) -> None:
    for row in rows:
        if row["agreement_id"] == new_id:
            continue
        other_start = date.fromisoformat(row["starts_on"])
        other_end = date.fromisoformat(row["ends_on"])
        if starts <= other_end and other_start <= ends:
            raise ConfigError(
                f"{new_id} ({starts} to {ends}) overlaps {row['agreement_id']} "
                f"({other_start} to {other_end}); periods never overlap. To reset an "
                f"agreement early, use `sla-report agreement reset {row['agreement_id']} "
                f"--on DATE`."
            )


def create_agreement(
    project_dir: Path,
    from_id: str,
    starts: date,
    ends: date,
    new_id: str | None = None,
    revenue_goal: str | float | None = None,
    title: str | None = None,
) -> NewAgreement:
    """Add an agreement copied from `from_id` with new dates (and goal); copy its text."""
    seed = project_dir / AGREEMENTS_SEED
    check_agreements(seed)  # a bad row is one message, never a traceback (issue #11)
    columns, rows = _read(seed)
    by_id = {row["agreement_id"]: row for row in rows}
    if from_id not in by_id:
        raise ConfigError(f"unknown agreement {from_id!r}; known: {', '.join(sorted(by_id))}")
    if ends < starts:
        raise ConfigError(f"--ends {ends} is before --starts {starts}")
    new_id = new_id or f"{starts:%Y-%m-%d}"
    if not AGREEMENT_ID.match(new_id):
        raise ConfigError(f"--id {new_id!r}: use letters, digits, '-', '_' or '.'")
    if new_id in by_id:
        raise ConfigError(f"agreement {new_id!r} already exists")
    goal = None if revenue_goal is None else parse_amount(revenue_goal, "--revenue-goal")
    _check_no_overlap(rows, new_id, starts, ends)

    source_text = agreement_text_path(project_dir, from_id)
    if not source_text.is_file():
        raise ConfigError(f"{source_text.relative_to(project_dir)}: missing, nothing to copy")
    new_row = {
        **by_id[from_id],
        "agreement_id": new_id,
        "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat(),
        "title": title or f"Sales & Marketing SLA: {starts:%-d %b %Y} to {ends:%-d %b %Y}",
    }
    if goal is not None:
        new_row["revenue_goal"] = goal
    rows.append(new_row)
    rows.sort(key=lambda row: row["starts_on"])
    _write(seed, columns, rows)

    _carry_targets(project_dir, from_id, new_id)
    new_text = agreement_text_path(project_dir, new_id)
    shutil.copy2(source_text, new_text)
    return NewAgreement(new_id, starts, ends, new_text, _days_uncovered_before(rows, starts))


def _carry_targets(project_dir: Path, from_id: str, new_id: str) -> None:
    """Copy `from_id`'s whole-period targets to `new_id` in the targets seed."""
    # Explicit whole-period targets carry over; month targets belong to their months.
    target_seed = project_dir / TARGETS_SEED
    target_columns, targets = _read(target_seed)
    carried = [
        {**t, "agreement_id": new_id}
        for t in targets
        if t["agreement_id"] == from_id and not t.get("month")
    ]
    _write(target_seed, target_columns, targets + carried)


def _days_uncovered_before(rows: list[dict], starts: date) -> int | None:
    """Return the days between the last agreement that ended before `starts` and it."""
    previous_end = max(
        (
            date.fromisoformat(r["ends_on"])
            for r in rows
            if date.fromisoformat(r["ends_on"]) < starts
        ),
        default=None,
    )
    return (starts - previous_end).days - 1 if previous_end else None


def reset_agreement(
    project_dir: Path,
    agreement_id: str,
    on: date,
    new_id: str | None = None,
    revenue_goal: str | float | None = None,
) -> NewAgreement:
    """End `agreement_id` the day before `on` and start a copy of it from `on` to its end."""
    seed = project_dir / AGREEMENTS_SEED
    check_agreements(seed)
    columns, rows = _read(seed)
    by_id = {row["agreement_id"]: row for row in rows}
    if agreement_id not in by_id:
        raise ConfigError(f"unknown agreement {agreement_id!r}; known: {', '.join(sorted(by_id))}")
    row = by_id[agreement_id]
    starts, ends = date.fromisoformat(row["starts_on"]), date.fromisoformat(row["ends_on"])
    if not starts < on <= ends:
        raise ConfigError(
            f"--on {on} must fall after {agreement_id} starts ({starts}) and "
            f"no later than it ends ({ends})"
        )
    row["ends_on"] = (on - timedelta(days=1)).isoformat()
    _write(seed, columns, rows)
    try:
        created = create_agreement(project_dir, agreement_id, on, ends, new_id, revenue_goal)
    except ConfigError:
        row["ends_on"] = ends.isoformat()  # leave the seed as it was
        _write(seed, columns, rows)
        raise
    _move_month_targets(project_dir, agreement_id, created.agreement_id, on)
    return NewAgreement(
        created.agreement_id, on, ends, created.text_path, 0, ended_early=agreement_id
    )


def _move_month_targets(project_dir: Path, old_id: str, new_id: str, on: date) -> None:
    """Give the new agreement the month targets of the months now wholly in it."""
    seed = project_dir / TARGETS_SEED
    columns, targets = _read(seed)
    for target in targets:
        month = target.get("month")
        if target["agreement_id"] == old_id and month:
            month_start = date.fromisoformat(month).replace(day=1)
            if month_start >= on:
                target["agreement_id"] = new_id
    _write(seed, columns, targets)
