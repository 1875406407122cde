"""The only module that reads the warehouse: report models, read-only, after dbt.

Embedded DuckDB is read from its file (Warehouse). Any other target
(PostgreSQL, Spark, a team's own; issue #13) is read through the dbt adapter
the build just used (AdapterWarehouse), so the credentials, the connection
and the SQL dialect are dbt's, and nothing here knows an engine's driver.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from generator.exceptions import InternalError

log = logging.getLogger(__name__)

READABLE_PREFIXES = ("rpt_", "dim_")


def _check_readable(model: str) -> None:
    if not model.startswith(READABLE_PREFIXES) or not model.replace("_", "").isalnum():
        raise InternalError(f"the generator reads report models only, not {model!r}")


def open_warehouse(config, manifest: dict):
    """Return the reader of the build's report models: DuckDB's file or the target's adapter."""
    if config.target.is_warehouse:
        return AdapterWarehouse(config.target.type, manifest)
    return Warehouse(config.database_path)


class Warehouse:
    """Read-only access to the report models of one finished build."""

    def __init__(self, database_path: Path, schema: str = "main"):
        self.schema = schema
        try:
            self.connection = duckdb.connect(str(database_path), read_only=True)
        except duckdb.Error as error:
            raise InternalError(f"cannot open {database_path} read-only: {error}") from error

    def rows(self, model: str, order_by: str | None = None, where: str | None = None) -> list[dict]:
        """Return the rows of a report model (those matching `where`) as dicts."""
        _check_readable(model)
        query = _select(f'"{self.schema}"."{model}"', order_by, where)
        cursor = self.connection.execute(query)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def count(self, model: str) -> int:
        """Return how many rows a report model has."""
        _check_readable(model)
        [(rows,)] = self.connection.execute(
            f'select count(*) from "{self.schema}"."{model}"'
        ).fetchall()
        return int(rows)

    def close(self) -> None:
        """Release the database file."""
        self.connection.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class AdapterWarehouse:
    """Read-only access to the report models through the dbt adapter of the build's target.

    dbt keeps its adapter registered after `dbtRunner.invoke` returns (it is
    reset when the next invocation starts), so this opens one more named
    connection with the very credentials the build used. Each model's
    relation name comes from the build's manifest, quoted as the adapter
    quotes it.
    """

    def __init__(self, adapter_type: str, manifest: dict):
        from dbt.adapters.base import BaseAdapter
        from dbt.adapters.factory import FACTORY

        # dbt types its registry by AdapterProtocol, which lacks the named
        # connections read here; every registered adapter is a BaseAdapter.
        adapter: object = FACTORY.adapters.get(adapter_type)
        if not isinstance(adapter, BaseAdapter):
            raise InternalError(
                f"no {adapter_type} adapter is registered: read the "
                "warehouse right after its dbt build, in the same process"
            )
        self.adapter = adapter
        self.relations = {
            node["name"]: node["relation_name"]
            for node in manifest.get("nodes", {}).values()
            if node.get("resource_type") == "model" and node.get("relation_name")
        }
        # PySpark hands timestamps over in this process's local time (_plain).
        self.local_timestamps = adapter_type == "spark"
        self._connection = self.adapter.connection_named("sla_report_reader")
        self._connection.__enter__()

    def rows(self, model: str, order_by: str | None = None, where: str | None = None) -> list[dict]:
        """Return the rows of a report model (those matching `where`) as dicts."""
        cursor = self._execute(_select(self._relation(model), order_by, where))
        names = [column[0] for column in cursor.description]
        return [
            dict(zip(names, (_plain(value, self.local_timestamps) for value in row), strict=True))
            for row in cursor.fetchall()
        ]

    def count(self, model: str) -> int:
        """Return how many rows a report model has."""
        cursor = self._execute(f"select count(*) from {self._relation(model)}")
        return int(_plain(cursor.fetchall()[0][0]))

    def _relation(self, model: str) -> str:
        _check_readable(model)
        if model not in self.relations:
            raise InternalError(f"{model} is not a model of this build")
        return self.relations[model]

    def _execute(self, query: str):
        handle = self.adapter.connections.get_thread_connection().handle
        cursor = handle.cursor()
        cursor.execute(query)
        return cursor

    def close(self) -> None:
        """Release the connection."""
        self._connection.__exit__(None, None, None)
        self.adapter.cleanup_connections()

    def __enter__(self) -> AdapterWarehouse:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _select(relation: str, order_by: str | None, where: str | None) -> str:
    """Return the query reading a relation's rows, filtered and ordered."""
    query = f"select * from {relation}"
    if where:
        query += f" where {where}"
    if order_by:
        query += f" order by {order_by}"
    return query


def _plain(value, local_timestamps: bool = False):
    """Return a value as the DuckDB reader gives it, whatever the engine's driver returned.

    - NUMERIC (PostgreSQL's exact sums) arrives as Decimal: a whole number
      becomes int, any other a float, as DuckDB's double would be.
    - PySpark turns a timestamp into this process's local wall-clock time;
      the warehouse's timestamps are UTC (the profile sets Spark's session
      time zone), so it is turned back into naive UTC.
    """
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if local_timestamps and isinstance(value, datetime) and value.tzinfo is None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def failing_checks(config, relation: str) -> list[tuple[str, int]]:
    """Return (name, failing rows) of each check a failed `checks` test stored (issue #23).

    Read after dbt has finished, from the database it built: DuckDB's file
    read-only, else through the adapter the build used.
    """
    from generator.dbt.checks import read_failing_checks

    if not config.target.is_warehouse:
        # dbt's relation starts with the database's name inside dbt's session,
        # which differs from the file's own: schema and table are enough.
        in_file = ".".join(relation.split(".")[-2:])
        try:
            with duckdb.connect(str(config.building_database_path), read_only=True) as connection:
                return read_failing_checks(connection, in_file)
        except duckdb.Error as error:
            raise InternalError(f"cannot read the failed checks in {relation}: {error}") from error
    from dbt.adapters.base import BaseAdapter
    from dbt.adapters.factory import FACTORY

    # As in AdapterWarehouse: every registered adapter is a BaseAdapter.
    adapter: object = FACTORY.adapters.get(config.target.type)
    if not isinstance(adapter, BaseAdapter):
        raise InternalError(f"no {config.target.type} adapter is registered to read {relation}")
    with adapter.connection_named("sla_report_checks"):
        handle = adapter.connections.get_thread_connection().handle
        return read_failing_checks(handle, relation)
