"""Raw contract files at any size: the demo world, copied until it has N leads.

The demo generator (generator/commands/demo_data.py) draws every row in Python, which
takes minutes for millions of rows. Here it draws one small world, and
DuckDB copies it: copy k gets ids suffixed ".k", so every lead, activity,
opportunity and revenue line is distinct, while timing, conversion and
response habits stay the demo's. Each activity is repeated
`activities_per_copy` times a few seconds apart (the demo has ~3.3 per lead;
3 repeats give ~10, the ratio real CRMs show). Reps are copied too when more
are asked for (`--reps`), and copy k of the leads is owned by rep copy
k mod (rep copies), so every rep keeps a realistic book.

    python benchmarks/scaled_data.py --leads 1000000 --format parquet --out /tmp/raw-1m
"""

from __future__ import annotations

import argparse
import math
import shutil
import tempfile
from pathlib import Path

import duckdb

from generator.commands.demo_data import write_demo_data
from generator.inputs.raw_columns import RAW_TABLES

BASE_SCALE = 1.0
"""The demo world at scale 1: ~5,500 leads, 13 reps (10 sales, 3 marketing)."""


def write_scaled_data(
    out_dir: Path,
    leads: int,
    file_format: str = "parquet",
    reps: int | None = None,
    activities_per_copy: int = 3,
) -> dict[str, int]:
    """Write the six raw tables with about `leads` leads; return rows per table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sla-base-") as scratch:
        base_dir = Path(scratch)
        base_counts = write_demo_data(base_dir, scale=BASE_SCALE)
        copies = max(1, math.ceil(leads / base_counts["leads"]))
        rep_copies = max(1, math.ceil((reps or base_counts["reps"]) / base_counts["reps"]))
        with duckdb.connect() as connection:
            connection.execute("set preserve_insertion_order = false")
            for table in RAW_TABLES:
                connection.execute(
                    f"create view base_{table} as select * from read_csv("
                    f"'{base_dir / (table + '.csv')}', header = true, all_varchar = true)"
                )
            counts = {}
            for table, select in _copy_queries(copies, rep_copies, activities_per_copy).items():
                path = out_dir / f"{table}.{file_format}"
                options = (
                    "(format parquet, compression zstd)"
                    if file_format == "parquet"
                    else "(header true)"
                )
                connection.execute(f"copy ({select}) to '{path}' {options}")
                reader = "read_parquet" if file_format == "parquet" else "read_csv"
                counts[table] = connection.execute(
                    f"select count(*) from {reader}('{path}')"
                ).fetchone()[0]
    return counts


def _copy_queries(copies: int, rep_copies: int, activities_per_copy: int) -> dict[str, str]:
    """Return one select per raw table over the base_* views."""

    # Ids keep their demo prefix (L, A, O, R, S, M) and gain ".k": the
    # contract treats ids as opaque text.
    def rep(column: str) -> str:
        return (
            f"case when {column} is null or {column} = '' then {column} "
            f"else {column} || '.' || (k % {rep_copies}) end"
        )

    copy = f"cross join range({copies}) as copy_number(k)"
    return {
        "reps": f"""
            select rep_id || '.' || r as rep_id, rep_name || ' ' || (r + 1) as rep_name,
                   team, started_on, ended_on
            from base_reps cross join range({rep_copies}) as rep_copy(r)""",
        "leads": f"""
            select lead_id || '.' || k as lead_id, created_at,
                   replace(email, '@', '.' || k || '@') as email, full_name, company, source,
                   {rep("owner_id")} as owner_id, mql_at, sal_at, sql_at, disqualified_at,
                   disqualified_reason
            from base_leads {copy}""",
        "lead_activities": f"""
            select activity_id || '.' || k || '.' || j as activity_id,
                   lead_id || '.' || k as lead_id,
                   case when j = 0 then occurred_at else strftime(
                       try_cast(occurred_at as timestamp) + to_seconds(7 * j),
                       '%Y-%m-%dT%H:%M:%SZ') end as occurred_at,
                   activity_type, {rep("rep_id")} as rep_id, is_automated
            from base_lead_activities {copy}
            cross join range({activities_per_copy}) as repeat_number(j)""",
        "opportunities": f"""
            select opportunity_id || '.' || k as opportunity_id,
                   case when lead_id is null or lead_id = '' then lead_id
                        else lead_id || '.' || k end as lead_id,
                   account_name, created_at, stage, amount, proposal_sent_at, closed_at,
                   {rep("owner_id")} as owner_id, lost_reason
            from base_opportunities {copy}""",
        "revenue": f"""
            select revenue_id || '.' || k as revenue_id,
                   case when opportunity_id is null or opportunity_id = '' then opportunity_id
                        else opportunity_id || '.' || k end as opportunity_id,
                   booked_on, amount, revenue_type
            from base_revenue {copy}""",
        # Traffic grows with the leads it brings.
        "web_sessions": f"""
            select session_date, channel,
                   cast(try_cast(sessions as bigint) * {copies} as varchar) as sessions
            from base_web_sessions""",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, required=True)
    parser.add_argument(
        "--reps", type=int, default=None, help="about this many reps (default: the demo's 13)"
    )
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    counts = write_scaled_data(args.out, args.leads, args.format, args.reps)
    print(", ".join(f"{table} {rows:,}" for table, rows in counts.items()))


if __name__ == "__main__":
    main()
