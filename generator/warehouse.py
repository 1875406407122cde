"""The only module that reads the warehouse: report models, read-only, after dbt."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from generator.exceptions import InternalError

log = logging.getLogger(__name__)

READABLE_PREFIXES = ("rpt_", "dim_")


class Warehouse:
    """Read-only access to the report models of one finished build."""

    def __init__(self, database_path: Path, schema: str = "main"):
        self.schema = schema
        try:
            self.connection = duckdb.connect(str(database_path), read_only=True)
        except duckdb.Error as error:
            raise InternalError(f"cannot open {database_path} read-only: {error}") from error

    def rows(self, model: str, order_by: str | None = None) -> list[dict]:
        """Return every row of a report model as dicts (column -> value)."""
        if not model.startswith(READABLE_PREFIXES) or not model.replace("_", "").isalnum():
            raise InternalError(f"the generator reads report models only, not {model!r}")
        query = f'select * from "{self.schema}"."{model}"'
        if order_by:
            query += f" order by {order_by}"
        cursor = self.connection.execute(query)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def close(self) -> None:
        """Release the database file."""
        self.connection.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
