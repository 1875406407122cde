"""KPIs are discovered from the dbt manifest: columns with meta.kpi."""

from __future__ import annotations

import json
import re

import pytest

from generator.exceptions import ConfigError
from generator.report.kpis import discover_kpis


def manifest(columns: dict) -> dict:
    return {
        "nodes": {
            "model.p.fct_x": {
                "name": "fct_x",
                "resource_type": "model",
                "original_file_path": "models/fct_x.sql",
                "raw_code": "select 1",
                "compiled_code": "select 1 as compiled",
                "columns": columns,
            }
        }
    }


def test_columns_with_meta_kpi_become_kpis_in_order():
    found = discover_kpis(
        manifest(
            {
                "agreement_id": {"name": "agreement_id", "description": "key", "meta": {}},
                "b": {
                    "name": "b",
                    "description": "Second  one.",
                    "meta": {
                        "kpi": {"title": "B", "section": "sales", "owner": "sales", "unit": "count"}
                    },
                },
                "a": {
                    "name": "a",
                    "description": "First.",
                    "config": {
                        "meta": {
                            "kpi": {
                                "title": "A",
                                "section": "marketing",
                                "owner": "marketing",
                                "unit": "rate",
                                "direction": "higher",
                                "pacing": "none",
                            }
                        }
                    },
                },
            }
        ),
        ["fct_x"],
    )
    assert [k.kpi_id for k in found] == ["b", "a"]
    assert found[0].definition == "Second one." and found[0].compiled_sql.endswith("compiled")
    assert found[1].unit == "rate" and found[0].pacing == "none"


def test_a_bad_unit_names_the_file_and_column():
    with pytest.raises(ConfigError, match=r"models/fct_x.sql column 'b': unit 'euros'"):
        discover_kpis(
            manifest(
                {
                    "b": {
                        "name": "b",
                        "meta": {
                            "kpi": {
                                "title": "B",
                                "section": "sales",
                                "owner": "sales",
                                "unit": "euros",
                            }
                        },
                    }
                }
            ),
            ["fct_x"],
        )


def test_unknown_kpi_model_is_a_config_error():
    with pytest.raises(ConfigError, match="fct_nope"):
        discover_kpis(manifest({}), ["fct_nope"])


def test_demo_manifest_declares_kpis_for_every_section(demo_build):
    config, _ = demo_build
    found = discover_kpis(
        json.loads((config.work_dir / "manifest.json").read_text()),
        ["fct_marketing_kpis", "fct_handoff_kpis", "fct_sales_kpis"],
    )
    assert {k.section for k in found} == {"marketing", "handoff", "sales"}
    assert all(k.definition and k.compiled_sql for k in found)


MODEL_SQL = """-- a comment with a (parenthesis, and a comma
with

orders as (
    select * from "db"."main"."stg_orders"
),

refunds as (
    select * from "db"."main"."stg_refunds"
),

orders_counted as (
    select customer_id, count(*) as orders, 'a, (b' as label
    from orders
    group by customer_id
),

refunds_summed as (
    select customer_id, sum(amount) as refunded
    from refunds
    group by customer_id
),

final as (
    select
        orders_counted.customer_id,
        coalesce(orders_counted.orders, 0) as orders,
        coalesce(refunds_summed.refunded, 0) / nullif(orders_counted.orders, 0)
            as refund_per_order,
        refunds_summed.refunded
    from orders_counted
    left join refunds_summed
        on orders_counted.customer_id = refunds_summed.customer_id
)

select * from final
"""


def test_the_excerpt_holds_the_column_its_joins_and_only_the_ctes_it_reads():
    from generator.dbt.lineage import column_excerpt

    orders = column_excerpt(MODEL_SQL, "orders")
    assert "coalesce(orders_counted.orders, 0) as orders" in orders
    assert "orders_counted as (" in orders and "orders as (" in orders
    assert "refunds" not in orders and "refund_per_order" not in orders
    assert "left join" not in orders

    ratio = column_excerpt(MODEL_SQL, "refund_per_order")
    assert "as refund_per_order" in ratio and "as orders\n" not in ratio
    assert "left join refunds_summed" in ratio
    assert all(
        f"{cte} as (" in ratio for cte in ("orders", "refunds", "orders_counted", "refunds_summed")
    )
    # A column taken as it is (no alias) is found by its name.
    assert "refunds_summed.refunded\nfrom orders_counted" in column_excerpt(MODEL_SQL, "refunded")


def test_a_model_without_the_house_shape_is_shown_whole():
    from generator.dbt.lineage import column_excerpt

    assert column_excerpt("select 1 as x", "y") == "select 1 as x"
    assert column_excerpt("select * from somewhere", "x") == "select * from somewhere"


def test_raw_tables_come_from_the_dbt_graph():
    from generator.dbt.lineage import upstream_sources

    manifest = {
        "nodes": {
            "model.p.fct": {"relation_name": '"db"."main"."fct"'},
            "model.p.stg_a": {"relation_name": '"db"."main"."stg_a"'},
            "model.p.stg_b": {"relation_name": '"db"."main"."stg_b"'},
            "seed.p.holidays": {
                "resource_type": "seed",
                "name": "holidays",
                "original_file_path": "seeds/reference/holidays.csv",
            },
        },
        "sources": {
            "source.p.crm.a": {"source_name": "crm", "name": "a", "relation_name": "raw.a"},
            "source.p.crm.b": {"source_name": "crm", "name": "b", "relation_name": "raw.b"},
        },
        "parent_map": {
            "model.p.fct": ["model.p.stg_a", "model.p.stg_b"],
            "model.p.stg_a": ["source.p.crm.a", "seed.p.holidays"],
            "model.p.stg_b": ["source.p.crm.b"],
        },
    }
    assert upstream_sources(manifest, "model.p.fct") == (["crm.a", "crm.b"], ["holidays"])
    only_a = 'select * from "db"."main"."stg_a"'
    assert upstream_sources(manifest, "model.p.fct", only_a) == (["crm.a"], ["holidays"])


def test_demo_kpis_show_their_own_sql_raw_tables_and_link(demo_build):
    config, _ = demo_build
    manifest = json.loads((config.work_dir / "manifest.json").read_text())
    found = {
        k.kpi_id: k
        for k in discover_kpis(
            manifest,
            ["fct_marketing_kpis", "fct_handoff_kpis", "fct_sales_kpis"],
            "https://example.org/sla/blob/main/",
        )
    }
    revenue, win_rate = found["new_revenue"], found["win_rate"]
    assert "as new_revenue" in revenue.sql_excerpt and "revenue_summed as (" in revenue.sql_excerpt
    assert "closed_summarised" not in revenue.sql_excerpt
    assert len(revenue.sql_excerpt) < len(revenue.compiled_sql) / 2
    assert "crm.revenue" in revenue.raw_tables
    assert "crm.revenue" not in win_rate.raw_tables and "crm.opportunities" in win_rate.raw_tables
    assert "sla_agreements" in revenue.reference_tables
    assert revenue.model_url == "https://example.org/sla/blob/main/models/marts/fct_sales_kpis.sql"
    for kpi in found.values():  # each excerpt ends in the select producing its column
        assert re.search(rf"(?:as |\.){kpi.kpi_id}\nfrom ", kpi.sql_excerpt), kpi.kpi_id
    assert discover_kpis(manifest, ["fct_sales_kpis"])[0].model_url == ""


def test_the_definitions_page_shows_raw_tables_and_the_column_sql(demo_site):
    from tests.conftest import page_text

    text = page_text(demo_site / "definitions.html")
    assert "Raw tables it depends on: crm.leads" in text.replace("\\", "")
    assert "SQL that computes it (compiled: this column and the CTEs it reads)" in text
