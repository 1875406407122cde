"""Compare two builds' warehouses table by table: same tables, same rows.

A SQL change meant to be faster (issue #23) must give identical results.
Build the old and the new version (`sla-report build --out X --full` keeps
its database in `.X-work/sla_report.duckdb`), then:

    python benchmarks/compare_warehouses.py BEFORE.duckdb AFTER.duckdb

Every table of the main database (marts and reports; `--schemas` to pick) is compared
both ways with EXCEPT ALL, so duplicated rows count too. Prints one line per
table and exits 1 when any table differs or exists on one side only.

A table whose rows differ only in the last bits of a double (a sum of
doubles depends on the order rows are added in, which parallel execution
does not fix) is reported as such: the rows are compared again with every
double rounded to 12 significant digits, and it does not count as differing
unless --exact is given.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb


def tables(connection: duckdb.DuckDBPyConnection, database: str, schemas: list[str]) -> set:
    rows = connection.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_catalog = ? and (? or table_schema in (select unnest(?)))",
        [database, not schemas, schemas or [""]],
    ).fetchall()
    return {(schema, name) for schema, name in rows}


def columns(connection: duckdb.DuckDBPyConnection, side: str, schema: str, name: str) -> list:
    return connection.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_catalog = ? and table_schema = ? and table_name = ?"
        " order by ordinal_position",
        [side, schema, name],
    ).fetchall()


def differing_rows(connection, left: str, right: str, listed: str) -> tuple[int, int]:
    """Rows only in `left` and only in `right`, duplicates counted (EXCEPT ALL)."""
    return tuple(
        connection.execute(
            f"select count(*) from (select {listed} from {one}"
            f" except all select {listed} from {other})"
        ).fetchone()[0]
        for one, other in ((left, right), (right, left))
    )


def compare_table(connection: duckdb.DuckDBPyConnection, schema: str, name: str) -> tuple:
    """Return (why the table differs between `before` and `after`, or None; float noise only)."""
    left = f'before."{schema}"."{name}"'
    right = f'after."{schema}"."{name}"'
    before_columns = columns(connection, "before", schema, name)
    after_columns = columns(connection, "after", schema, name)
    if before_columns != after_columns:
        return f"columns differ: {before_columns} vs {after_columns}", False
    listed = ", ".join(f'"{column}"' for column, _ in before_columns)
    counts = [
        connection.execute(f"select count(*) from {side}").fetchone()[0] for side in (left, right)
    ]
    only_before, only_after = differing_rows(connection, left, right, listed)
    if counts[0] == counts[1] and not only_before and not only_after:
        return None, False
    why = f"rows {counts[0]} vs {counts[1]}; {only_before} only before, {only_after} only after"
    rounded = ", ".join(
        f'round("{column}", 12 - cast(ceil(log10(abs("{column}") + 1e-300)) as integer))'
        if data_type in ("DOUBLE", "FLOAT")
        else f'"{column}"'
        for column, data_type in before_columns
    )
    float_noise = counts[0] == counts[1] and not any(
        differing_rows(connection, left, right, rounded)
    )
    return why, float_noise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--schemas", nargs="+", default=[], help="default: every schema")
    parser.add_argument(
        "--exact", action="store_true", help="a difference in a double's last bits counts too"
    )
    args = parser.parse_args()
    connection = duckdb.connect()
    connection.execute(f"attach '{args.before}' as before (read_only)")
    connection.execute(f"attach '{args.after}' as after (read_only)")
    before, after = (tables(connection, side, args.schemas) for side in ("before", "after"))
    problems = [f"{'.'.join(table)}: only before" for table in sorted(before - after)]
    problems += [f"{'.'.join(table)}: only after" for table in sorted(after - before)]
    for schema, name in sorted(before & after):
        difference, float_noise = compare_table(connection, schema, name)
        if difference and float_noise:
            difference += " (doubles equal to 12 significant digits: summation order)"
        print(f"{schema}.{name}: {difference or 'identical'}")
        if difference and (args.exact or not float_noise):
            problems.append(f"{schema}.{name}: {difference}")
    print(f"{len(before & after)} tables compared; {len(problems)} differ")
    for problem in problems:
        print(f"DIFFERS {problem}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
