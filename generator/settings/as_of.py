"""The as-of rules: which local day a build evaluates, and which days it refuses."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.exceptions import ConfigError


def last_complete_day(time_zones: list[str], now: datetime | None = None) -> tuple[date, str]:
    """Return the last local day that has ended in every agreement's time zone, and that zone.

    A build never evaluates a day that has not ended: a nightly run at 05:17
    UTC is still the evening before in Chicago, and MQLs due later that
    evening are not overdue yet.
    """
    moment = now or datetime.now(UTC)
    candidates = []
    for name in time_zones or ["UTC"]:
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue  # an unknown zone is reported by the agreement checks
        candidates.append((moment.astimezone(zone).date() - timedelta(days=1), name))
    return min(candidates) if candidates else (moment.date() - timedelta(days=1), "UTC")


def agreement_time_zones(project_dir: Path) -> list[str]:
    """Return the time zones of the agreements in the project's sla_agreements seed."""
    path = project_dir / "seeds" / "reference" / "sla_agreements.csv"
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return sorted(
                {
                    row["timezone"].strip()
                    for row in csv.DictReader(handle)
                    if (row.get("timezone") or "").strip()
                }
            )
    except (OSError, KeyError, csv.Error):
        return []


def parse_as_of(text: str | None, default: date, last_complete: tuple[date, str]) -> date:
    """Return the as-of date from ISO text ('latest' = the last complete day), or the default.

    A date after the last complete local day is refused: its numbers would
    count a day that is not over (MQLs due later that day listed as overdue).
    """
    latest, zone = last_complete
    if text is None:
        return default
    if text == "latest":
        return latest
    try:
        as_of = date.fromisoformat(text)
    except ValueError as error:
        raise ConfigError(
            f"--as-of must be a date like 2015-10-15 or 'latest', not {text!r}"
        ) from error
    if as_of > latest:
        raise ConfigError(
            f"--as-of {as_of.isoformat()} is after the last complete day ({latest.isoformat()} "
            f"in {zone}): a build never evaluates a day that has not ended, or MQLs due later "
            f"that day would be listed as overdue. Leave --as-of out (or use --as-of latest)."
        )
    return as_of
