"""--source salesforce|hubspot: settings, header matching and exit-3 messages (issue #9).

These run before dbt: no build. The builds from each export, checked
against the independent computation, are in tests/test_source_builds.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.commands.configure import make_config
from generator.exceptions import ConfigError
from generator.inputs.headers import resolve_columns
from generator.inputs.source_settings import load_settings
from generator.inputs.source_tables import SALESFORCE, missing_inputs
from tests.conftest import DEMO_RAW
from tests.crm_exports import HS_SETTINGS, SF_SETTINGS, hubspot_export, salesforce_export

LEAD = next(table for table in SALESFORCE if table.name == "lead")


@pytest.fixture(scope="module")
def sf_dataloader(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sfdl")
    salesforce_export(DEMO_RAW, out, "dataloader")
    (out / "crm_source.yml").write_text(SF_SETTINGS, encoding="utf-8")
    return out


def build(args: list[str]):
    return CliRunner().invoke(cli, ["build", *args])


def test_headers_match_without_case_or_underscores():
    settings = load_settings(None, "salesforce").settings
    upper = [
        "ID",
        "CREATEDDATE",
        "OWNERID",
        "STATUS",
        "CONVERTEDOPPORTUNITYID",
        "MQL_DATE__C",
        "CONVERTEDDATE",
    ]
    found = resolve_columns(Path("LEAD.csv"), LEAD, upper, settings)
    assert found["mql_date"] == "mql_date__c" and found["created_date"] == "createddate"
    snake = [
        "id",
        "created_date",
        "owner_id",
        "status",
        "converted_opportunity_id",
        "mql_date_c",
        "converted_date",
    ]
    found = resolve_columns(Path("lead.csv"), LEAD, snake, settings)
    assert found["mql_date"] == "mql_date_c" and found["sql_date"] == "converted_date"
    # Optional columns the export lacks are null in staging, not an error.
    assert found["lead_source"] is None and found["is_deleted"] is None


def test_a_missing_column_names_the_file_the_column_and_the_closest_header():
    settings = load_settings(None, "salesforce").settings
    headers = [
        "ID",
        "CREATEDDATE",
        "OWNERID",
        "STATUS",
        "CONVERTEDOPPORTUNITYID",
        "MQL_DATE_C__C",
        "CONVERTEDDATE",
    ]
    with pytest.raises(ConfigError) as error:
        resolve_columns(Path("/x/LEAD.csv"), LEAD, headers, settings)
    message = str(error.value)
    assert "/x/LEAD.csv" in message and "'MQL_Date__c'" in message
    assert "did you mean MQL_DATE_C__C?" in message and "mql_date_field" in message


def test_the_org_names_its_own_mql_field():
    settings = load_settings(None, "salesforce").settings | {"mql_date_field": "MQL_Since__c"}
    headers = [
        "Id",
        "CreatedDate",
        "OwnerId",
        "Status",
        "ConvertedOpportunityId",
        "MQL_Since__c",
        "ConvertedDate",
    ]
    assert resolve_columns(Path("Lead.csv"), LEAD, headers, settings)["mql_date"] == "mql_since__c"


def test_cli_exit_3_for_a_missing_required_column(sf_dataloader, tmp_path):
    data = tmp_path / "export"
    shutil.copytree(sf_dataloader, data)
    lead = data / "LEAD.csv"
    text = lead.read_text(encoding="utf-8")
    lead.write_text(text.replace("MQL_DATE__C", "MQL_DATE", 1), encoding="utf-8")
    result = build(
        [
            "--source",
            "salesforce",
            "--data",
            str(data),
            "--as-of",
            "2015-10-15",
            "--out",
            str(tmp_path / "site"),
        ]
    )
    assert result.exit_code == 3, result.output
    assert "LEAD.csv" in result.output and "did you mean MQL_DATE?" in result.output
    assert not (tmp_path / "site").exists()


def test_a_missing_table_is_exit_3_unless_declared_unavailable(sf_dataloader, tmp_path):
    data = tmp_path / "export"
    shutil.copytree(sf_dataloader, data)
    (data / "EVENT.csv").unlink()
    result = build(
        [
            "--source",
            "salesforce",
            "--data",
            str(data),
            "--as-of",
            "2015-10-15",
            "--out",
            str(tmp_path / "site"),
        ]
    )
    assert result.exit_code == 3
    assert "missing raw table 'event'" in result.output and "unavailable" in result.output
    (data / "crm_source.yml").write_text(SF_SETTINGS + "unavailable: [event]\n", encoding="utf-8")
    config = make_config(data=str(data), as_of="2015-10-15", out=str(tmp_path / "site"))
    assert config.source == "salesforce"
    assert config.unavailable == {"event": "declared unavailable in crm_source.yml"}
    assert config.raw_files["event"].read_text(encoding="utf-8").startswith("id,who_id")


def test_settings_are_validated_with_the_file_and_a_suggestion(tmp_path):
    path = tmp_path / "crm_source.yml"
    cases = {
        "salesforce:\n  mql_date_feild: X__c\n": "did you mean mql_date_field?",
        "salesforce:\n  lead_source_channels: {Web: website}\n": "'website' is not a channel",
        "source: salesforse\n": "did you mean salesforce?",
        "source: hubspot\nunavailable: [engagment_call]\n": "did you mean engagement_call?",
        "source: salesforce\nunavailable: [lead]\n": "cannot be unavailable",
        "unavailable: [leads.sql_date]\n": "only these columns",
        "salesforce:\n  disqualified_statuses: Unqualified\n": "expected a list",
    }
    for text, expected in cases.items():
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as error:
            load_settings(path, None)
        assert str(path) in str(error.value) and expected in str(error.value), text


def test_source_without_data_is_refused():
    with pytest.raises(ConfigError, match="--source salesforce reads an export"):
        make_config(source="salesforce")


def test_hubspot_export_resolves_every_table(tmp_path):
    hubspot_export(DEMO_RAW, tmp_path)
    (tmp_path / "crm_source.yml").write_text(HS_SETTINGS, encoding="utf-8")
    config = make_config(data=str(tmp_path), as_of="2015-10-15", out=str(tmp_path / "s"))
    assert config.source == "hubspot"
    assert (
        config.source_columns["contact"]["mql_date_new"]
        == "property_hs_v2_date_entered_marketingqualifiedlead"
    )
    assert config.source_columns["deal"]["stage_id"] == "deal_pipeline_stage_id"
    # HubSpot deals carry no proposal date: proposals are no data, not 0.
    assert "opportunities.proposal_sent_at" in config.unavailable
    assert config.dbt_vars["crm_source"] == "hubspot"


def test_a_feed_is_missing_only_when_all_its_tables_are():
    assert missing_inputs("salesforce", {"task": "declared"}) == {}
    assert set(missing_inputs("salesforce", {"task": "x", "event": "y"})) == {"lead_activities"}
    # HubSpot engagements link nothing without engagement_contact.
    assert set(missing_inputs("hubspot", {"engagement_contact": "x"})) == {"lead_activities"}
    # A contract column the team lacks is an input of its own (issue #19).
    assert missing_inputs("contract", {"revenue": "declared", "leads.sql_at": "declared"}) == {
        "leads.sql_at": "declared",
        "revenue": "revenue: declared",
    }


def test_every_kpi_says_which_inputs_it_needs_and_they_are_in_its_lineage(demo_build):
    """meta.kpi.needs (issue #19) names what a KPI's figure stands on; the models make the
    KPI no data when one is missing (dbt unit test
    an_input_the_team_lacks_is_no_data_with_its_reason). Each need must be a
    raw table the KPI's own SQL reads, as the dbt graph says, so no KPI claims an input it
    does not use, nor forgets the table it counts."""
    import json

    from generator.report.kpis import discover_kpis

    config, _ = demo_build
    manifest = json.loads((config.work_dir / "manifest.json").read_text())
    definitions = discover_kpis(
        manifest, ["fct_marketing_kpis", "fct_handoff_kpis", "fct_sales_kpis"]
    )
    metas = {
        column["name"]: (column.get("meta") or column.get("config", {}).get("meta"))["kpi"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        for column in node["columns"].values()
        if (column.get("meta") or column.get("config", {}).get("meta") or {}).get("kpi")
    }
    checked = 0
    for definition in definitions:
        needs = metas[definition.kpi_id].get("needs")
        assert needs, f"{definition.kpi_id}: meta.kpi.needs is missing"
        tables = {name.split(".")[-1] for name in definition.raw_tables}
        for need in needs:
            for option in [need] if isinstance(need, str) else need:
                assert option.split(".")[0] in tables, (definition.kpi_id, option, tables)
                checked += 1
    # MQL to SQL stands on SQL dates, not on the activity log (issue #19).
    assert metas["mql_to_sql_rate"]["needs"] == ["leads.sql_at"]
    assert checked >= 21


def test_the_commented_example_documents_the_defaults():
    """crm_source.example.yml says what a build does when a key is left out."""
    from generator.inputs.source_settings import DEFAULT_SETTINGS
    from generator.settings.project import project_root

    example = project_root() / "crm_source.example.yml"
    for source in ("contract", "salesforce", "hubspot"):
        assert load_settings(example, source).settings == DEFAULT_SETTINGS[source]
