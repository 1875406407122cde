"""KPIs are discovered from the dbt manifest: columns with meta.kpi."""

from __future__ import annotations

import json

import pytest

from generator.exceptions import ConfigError
from generator.kpis import discover_kpis


def manifest(columns: dict) -> dict:
    return {"nodes": {"model.p.fct_x": {
        "name": "fct_x", "resource_type": "model", "original_file_path": "models/fct_x.sql",
        "raw_code": "select 1", "compiled_code": "select 1 as compiled", "columns": columns}}}


def test_columns_with_meta_kpi_become_kpis_in_order():
    found = discover_kpis(manifest({
        "agreement_id": {"name": "agreement_id", "description": "key", "meta": {}},
        "b": {"name": "b", "description": "Second  one.", "meta": {"kpi": {
            "title": "B", "section": "sales", "owner": "sales", "unit": "count"}}},
        "a": {"name": "a", "description": "First.", "config": {"meta": {"kpi": {
            "title": "A", "section": "marketing", "owner": "marketing", "unit": "rate",
            "direction": "higher", "pacing": "none"}}}},
    }), ["fct_x"])
    assert [k.kpi_id for k in found] == ["b", "a"]
    assert found[0].definition == "Second one." and found[0].compiled_sql.endswith("compiled")
    assert found[1].unit == "rate" and found[0].pacing == "none"


def test_a_bad_unit_names_the_file_and_column():
    with pytest.raises(ConfigError, match=r"models/fct_x.sql column 'b': unit 'euros'"):
        discover_kpis(manifest({"b": {"name": "b", "meta": {"kpi": {
            "title": "B", "section": "sales", "owner": "sales", "unit": "euros"}}}}), ["fct_x"])


def test_unknown_kpi_model_is_a_config_error():
    with pytest.raises(ConfigError, match="fct_nope"):
        discover_kpis(manifest({}), ["fct_nope"])


def test_demo_manifest_declares_kpis_for_every_section(demo_build):
    config, _ = demo_build
    found = discover_kpis(json.loads((config.work_dir / "manifest.json").read_text()),
                          ["fct_marketing_kpis", "fct_handoff_kpis", "fct_sales_kpis"])
    assert {k.section for k in found} == {"marketing", "handoff", "sales"}
    assert all(k.definition and k.compiled_sql for k in found)
