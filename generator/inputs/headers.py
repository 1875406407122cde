"""Finding a source's tables and columns in the files' names and headers (issue #9).

Names are compared without case, spaces or underscores: `MQL_DATE__C`,
`mql_date__c` and `mql_date_c` are one column, Data Loader's LeadHistory.csv
and Fivetran's lead_history.csv one table. A missing column is one exit-3
message naming the file, the column and the closest header found; dbt is
handed the header that exists (the `source_columns` var, read by the
`source_column` macro).
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from generator.exceptions import ConfigError
from generator.inputs.raw_columns import FILE_SUFFIXES
from generator.inputs.raw_files import normalise_name
from generator.inputs.source_settings import SETTINGS_NAME
from generator.inputs.source_tables import Table


def header_key(name: str) -> str:
    """Return a header name reduced for comparison: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class ResolvedSource:
    """What the raw-file pre-check found for one build."""

    files: dict[str, Path]
    """Raw table -> file of the data folder (declared-unavailable tables excluded)."""
    columns: dict[str, dict[str, str | None]]
    """Raw table -> staging name -> the header found (None: optional and absent)."""
    unavailable: dict[str, str]
    """Raw table -> why it counts as unavailable (declared, or no rows)."""


def find_table_file(data_dir: Path, table: str) -> Path | None:
    """Return the file of a raw table in data_dir, matching its name without case."""
    # Without case or underscores: Data Loader's LeadHistory.csv and
    # Fivetran's lead_history.csv are one table (issue #19).
    wanted = {header_key(table) + suffix for suffix in FILE_SUFFIXES}
    found = sorted(
        path
        for path in data_dir.iterdir()
        if path.is_file() and header_key(path.stem) + path.suffix.lower() in wanted
    )
    return found[0] if found else None


def resolve_columns(
    path: Path, table: Table, headers: list[str], settings: dict
) -> dict[str, str | None]:
    """Return staging name -> normalised header for one file; all missing columns in one error.

    headers are the file's own spellings (for the message); the clean copy dbt
    reads has them normalised (generator.inputs.raw_files.normalise_name).
    """
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(header_key(header), header)
    found: dict[str, str | None] = {}
    missing: list[str] = []
    for column in table.columns:
        spellings = column.spellings
        if column.setting is not None:
            configured = settings.get(column.setting)
            # A setting left empty means the org has no such field.
            spellings = (str(configured),) if configured else ()
        match = next((by_key[header_key(s)] for s in spellings if header_key(s) in by_key), None)
        if match is None and column.required and spellings:
            hint = _closest(spellings, headers)
            missing.append(
                f"{spellings[0]!r}"
                + (f" (did you mean {hint}?)" if hint else "")
                + (
                    f" (set {column.setting} in {SETTINGS_NAME} if your org names it differently)"
                    if column.setting
                    else ""
                )
            )
        found[column.name] = normalise_name(match) if match else None
    if missing:
        raise ConfigError(
            f"{path}: missing required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; found columns: {', '.join(headers) or 'none'}"
        )
    return found


def _closest(spellings: tuple[str, ...], headers: list[str]) -> str | None:
    """Return the header most like any spelling, as the file writes it."""
    keys = {header_key(header): header for header in headers}
    for spelling in spellings:
        close = difflib.get_close_matches(header_key(spelling), list(keys), n=1, cutoff=0.6)
        if close:
            return keys[close[0]]
    return None


def header_only_file(table: Table, out_dir: Path) -> tuple[Path, dict[str, str | None]]:
    """Write a header-only CSV for a table the team does not have, so the models build.

    Its columns are the staging names themselves; returns the file and the
    staging name -> header map.
    """
    path = out_dir / f"{table.name}.unavailable.csv"
    names = [column.name for column in table.columns]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(names)
    return path, {name: name for name in names}
