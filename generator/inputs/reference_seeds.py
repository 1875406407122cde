"""Check the reference seeds (agreements, targets, holidays) before dbt runs (issue #11).

A revenue goal of 0 once ended in "internal error: ZeroDivisionError"; a
time zone DuckDB does not know, a rate of 45 (meant as 45%) or a business day
that ends before it starts would give wrong numbers or a dbt error far from
the cause. Each problem here is one message naming the file, the line, the
agreement and the field. The same rules run as dbt data tests on the seeds
(seeds/reference/_reference__seeds.yml), for anyone who builds the models
without this CLI.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from generator.exceptions import ConfigError
from generator.settings.project import declared_kpis

REFERENCE_DIR = Path("seeds") / "reference"

# Fields of sla_agreements.csv, by rule.
POSITIVE = ["revenue_goal", "average_deal_size", "first_touch_business_hours"]
RATES = [
    "marketing_revenue_share",
    "visit_to_lead",
    "lead_to_mql",
    "mql_to_sql",
    "sql_to_opportunity",
    "opportunity_to_proposal",
    "proposal_to_win",
]
POSITIVE_INTEGERS = ["min_touch_attempts", "touch_window_days"]
# Optional settings: empty means the dbt var of the same name.
OPTIONAL_POSITIVE_INTEGERS = ["conversion_window_days", "min_sample"]
TIMES = ["business_day_start", "business_day_end"]
AGREEMENT_COLUMNS = [
    "agreement_id",
    "title",
    "starts_on",
    "ends_on",
    *POSITIVE,
    *RATES,
    *POSITIVE_INTEGERS,
    "timezone",
    *TIMES,
]
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Agreement:
    """The dates of one valid agreement row, for checking targets against it."""

    agreement_id: str
    starts_on: date
    ends_on: date


def _rows(path: Path, required: list[str]) -> list[tuple[int, dict]]:
    """Return (line, row) pairs of a seed, or a ConfigError for a missing file or column."""
    if not path.is_file():
        raise ConfigError(f"{path}: missing reference seed")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 (byte {error.start}); save it as UTF-8") from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in required if name not in columns]
    if missing:
        raise ConfigError(
            f"{path}: missing column{'s' if len(missing) > 1 else ''} "
            + ", ".join(repr(name) for name in missing)
        )
    rows = []
    for row in reader:
        clean = {
            (key or "").strip(): (value or "").strip() if isinstance(value, str) else ""
            for key, value in row.items()
        }
        if any(clean.values()):
            rows.append((reader.line_num, clean))
    return rows


class _Where:
    """Builds the message prefix: file, line, agreement and field."""

    def __init__(self, path: Path, line: int, agreement_id: str) -> None:
        self.path, self.line, self.agreement_id = path, line, agreement_id

    def error(self, field: str, problem: str) -> ConfigError:
        return ConfigError(
            f"{self.path}: line {self.line}: agreement {self.agreement_id!r}, {field}: {problem}"
        )


def _number(where: _Where, row: dict, field: str) -> float:
    text = row.get(field, "")
    try:
        value = float(text)
    except ValueError:
        raise where.error(field, f"{text!r} is not a number (write 1200000, 0.45)") from None
    if not math.isfinite(value):
        raise where.error(field, f"{text!r} is not a finite number")
    return value


def _date(where: _Where, row: dict, field: str) -> date:
    text = row.get(field, "")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise where.error(field, f"{text!r} is not a date like 2015-07-01") from None


def _minutes(where: _Where, row: dict, field: str) -> int:
    text = row.get(field, "")
    match = _HHMM.match(text)
    if not match:
        raise where.error(field, f"{text!r} is not a time of day like 09:00")
    return int(match.group(1)) * 60 + int(match.group(2))


@functools.cache
def time_zones() -> frozenset[str]:
    """Return the time zone names DuckDB (which runs the business clock) knows."""
    with duckdb.connect() as connection:
        return frozenset(
            row[0] for row in connection.execute("select name from pg_timezone_names()").fetchall()
        )


def check_agreements(path: Path) -> list[Agreement]:
    """Return the agreements of sla_agreements.csv, or a ConfigError for the first bad field."""
    agreements: list[Agreement] = []
    seen: dict[str, int] = {}
    for line, row in _rows(path, AGREEMENT_COLUMNS):
        agreement_id = row["agreement_id"]
        where = _Where(path, line, agreement_id)
        if not agreement_id:
            raise where.error("agreement_id", "empty; every agreement needs an id")
        if agreement_id in seen:
            raise where.error("agreement_id", f"already used on line {seen[agreement_id]}")
        seen[agreement_id] = line
        for field in POSITIVE:
            if _number(where, row, field) <= 0:
                raise where.error(field, f"must be positive, not {row[field]!r}")
        for field in RATES:
            value = _number(where, row, field)
            if not 0 < value <= 1:
                raise where.error(
                    field, f"must be a rate above 0 and at most 1 (45% is 0.45), not {row[field]!r}"
                )
        for field in POSITIVE_INTEGERS + [f for f in OPTIONAL_POSITIVE_INTEGERS if row.get(f)]:
            value = _number(where, row, field)
            if value <= 0 or value != int(value):
                raise where.error(field, f"must be a whole number above 0, not {row[field]!r}")
        if row["timezone"] not in time_zones():
            raise where.error(
                "timezone", f"{row['timezone']!r} is not an IANA time zone like America/Chicago"
            )
        if _minutes(where, row, "business_day_end") <= _minutes(where, row, "business_day_start"):
            raise where.error(
                "business_day_end",
                f"{row['business_day_end']} must be after "
                f"business_day_start "
                f"{row['business_day_start']}",
            )
        starts, ends = _date(where, row, "starts_on"), _date(where, row, "ends_on")
        if ends < starts:
            raise where.error("ends_on", f"{ends} is before starts_on {starts}")
        for other in agreements:
            if starts <= other.ends_on and other.starts_on <= ends:
                raise where.error(
                    "starts_on",
                    f"{starts} to {ends} overlaps agreement "
                    f"{other.agreement_id!r} ({other.starts_on} to "
                    f"{other.ends_on}); periods never overlap",
                )
        agreements.append(Agreement(agreement_id, starts, ends))
    return agreements


def check_targets(path: Path, agreements: list[Agreement], kpis: set[str]) -> None:
    """Raise a ConfigError for the first target naming an unknown agreement, KPI or month."""
    by_id = {agreement.agreement_id: agreement for agreement in agreements}
    for line, row in _rows(path, ["agreement_id", "kpi_id", "month", "target"]):
        where = _Where(path, line, row["agreement_id"])
        agreement = by_id.get(row["agreement_id"])
        if agreement is None:
            raise where.error(
                "agreement_id",
                f"no such agreement in sla_agreements.csv (known: {', '.join(sorted(by_id))})",
            )
        if kpis and row["kpi_id"] not in kpis:
            raise where.error(
                "kpi_id", f"{row['kpi_id']!r} is not a KPI (known: {', '.join(sorted(kpis))})"
            )
        if _number(where, row, "target") < 0:
            raise where.error("target", f"must not be negative, not {row['target']!r}")
        if row["month"]:
            month = _date(where, row, "month")
            if month.day != 1:
                raise where.error("month", f"{month} must be the first day of a month")
            if not (agreement.starts_on.replace(day=1) <= month <= agreement.ends_on):
                raise where.error(
                    "month",
                    f"{month:%B %Y} is outside the agreement's period "
                    f"({agreement.starts_on} to {agreement.ends_on})",
                )


def check_holidays(path: Path) -> None:
    """Raise a ConfigError for a holiday date that does not parse or appears twice."""
    seen: dict[date, int] = {}
    for line, row in _rows(path, ["holiday_date", "name"]):
        text = row["holiday_date"]
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ConfigError(
                f"{path}: line {line}: holiday_date: {text!r} is not a date like 2015-12-25"
            ) from None
        if day in seen:
            raise ConfigError(
                f"{path}: line {line}: holiday_date: {day} is already on line {seen[day]}"
            )
        seen[day] = line


def check_reference(project_dir: Path, kpi_models: list[str]) -> None:
    """Check every reference seed of a project; raise a ConfigError naming the first problem."""
    folder = project_dir / REFERENCE_DIR
    agreements = check_agreements(folder / "sla_agreements.csv")
    check_targets(folder / "sla_targets.csv", agreements, declared_kpis(project_dir, kpi_models))
    check_holidays(folder / "holidays.csv")
