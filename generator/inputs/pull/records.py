"""Raw tables as the pull writes them: names, keys, how they merge, and their rows.

Every value is written as text, as the CRM gave it (an epoch, an ISO
timestamp, `true`): staging types and quarantines values the same way for
a pull as for an export. dlt names the columns the way Fivetran does
(`CreatedDate` -> `created_date`, `MQL_Date__c` -> `mql_date_c`), which the
`--source` builds already read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import dlt
from dlt.common.schema.typing import TColumnSchema

DELETED = "_pull_deleted"
"""A row flagged here deletes the stored row with the same key (dlt's hard_delete)."""


@dataclass(frozen=True)
class RawTable:
    """One table the pull writes (one Parquet file in the data folder)."""

    name: str
    columns: tuple[str, ...]
    """Columns always written, even when every value is empty."""
    primary_key: tuple[str, ...] = ("id",)
    merge_key: tuple[str, ...] = ()
    """Set for child rows (associations, history): new rows replace all of a parent's."""
    replace: bool = False
    """Small lookup tables (owners, stages, users) are fetched whole every time."""

    def hints(self):
        """Return dlt's hints for this table."""
        columns: dict[str, TColumnSchema] = {
            name: {"data_type": "text", "nullable": name not in self.primary_key}
            for name in self.columns
        }
        columns[DELETED] = {"data_type": "bool", "hard_delete": not self.replace}
        return dlt.mark.make_hints(
            table_name=self.name,
            write_disposition="replace" if self.replace else "merge",
            primary_key=list(self.primary_key),
            merge_key=list(self.merge_key) or None,
            columns=columns,
        )


def text(value) -> str | None:
    """Return a value as the text an export would hold (booleans lower case)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def emit(table: RawTable, rows: Iterable[dict]):
    """Return rows marked for their table, with its keys and merge rule."""
    return dlt.mark.with_hints(
        [{**row, DELETED: row.get(DELETED, False)} for row in rows],
        table.hints(),
        create_table_variant=True,
    )


def tombstones(table: RawTable, ids: Iterable[str]):
    """Return rows that delete the stored records with these ids."""
    key = table.primary_key[0]
    return emit(table, ({key: record_id, DELETED: True} for record_id in ids))
