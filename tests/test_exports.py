"""The exports small teams really have build (issue #21).

A HubSpot UI export in either label set of the lifecycle-stage dates (with
and without an activity export) and a Salesforce report export (labels,
US-locale dates, a footer block) are written from the demo rows by
tests/crm_ui_exports.py, which also returns the contract tables they mean.
Every KPI on the site must equal what tests/independent.py computes from
those; without a touch log the hand-off KPIs are no data with the reason,
never 0. A day/month order the data cannot settle is refused (exit 3)
naming the column and the `date_format` setting.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.commands.configure import make_config
from tests.conftest import DEMO_RAW, EXPORT_AS_OF, REFERENCE, Needles, build_export_site
from tests.crm_exports import contract_files, read_rows
from tests.crm_ui_exports import (
    FOOTER,
    SF_REPORT_SETTINGS,
    hubspot_ui_export,
    hubspot_ui_settings,
    salesforce_report_export,
)
from tests.independent import compute

HANDOFF = {
    "first_touch_within_sla_rate",
    "median_first_touch_business_hours",
    "p90_first_touch_business_hours",
    "mqls_worked_rate",
}


def _build(export, source, settings, root):
    (export / "crm_source.yml").write_text(settings, encoding="utf-8")
    out = root / "site"
    result = build_export_site(export, source, out)
    # The exports carry leads' e-mail addresses and phone numbers: none is published.
    private = {
        value
        for path in export.glob("*.csv")
        for value in re.findall(
            r"[\w.+-]+@example\.(?:com|net)|\+1 555 01\d\d \d{5}", path.read_text("utf-8")
        )
    }
    assert len(private) > 1000
    needles = Needles(private)
    for path in out.rglob("*"):
        if path.suffix in (".html", ".json", ".svg", ".xml"):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not needles.found_in(text), path
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))["kpis"], result


def _check(kpis, meant, root, no_data: dict[str, str]) -> int:
    expected = compute(contract_files(meant, root / "meant"), REFERENCE, EXPORT_AS_OF)["2015-h2"]
    checked = 0
    for kpi in kpis:
        if kpi["id"] in no_data:
            assert (kpi["value"], kpi["status"], kpi["reason"]) == (
                None,
                "no_data",
                no_data[kpi["id"]],
            ), kpi
            continue
        assert kpi["value"] == pytest.approx(expected[kpi["id"]], rel=1e-9, abs=1e-6), kpi["id"]
        checked += 1
    return checked


@pytest.mark.parametrize("labels,activities", [("entered", False), ("became", True)])
def test_a_hubspot_ui_export_builds(labels, activities, tmp_path):
    export = tmp_path / "export"
    meant = hubspot_ui_export(DEMO_RAW, export, labels, activities)
    kpis, result = _build(export, "hubspot", hubspot_ui_settings(DEMO_RAW), tmp_path)
    no_data = {"proposals": "needs proposal dates"}
    if not activities:
        # No touch log in a UI export: the hand-off is not measured, never "0% touched".
        no_data |= {
            kpi["id"]: "needs lead activities"
            for kpi in kpis
            if kpi["status"] == "no_data" and kpi["id"] != "proposals"
        }
        assert HANDOFF <= set(no_data)
        assert "a HubSpot UI export has no touch log" in result.output
    checked = _check(kpis, meant, tmp_path, no_data)
    assert checked >= (14 if not activities else 20)
    print(
        f"HubSpot UI export ({labels} labels, activities: {activities}): {checked} KPIs "
        "equal the independent figures"
    )


def test_a_salesforce_report_export_builds(tmp_path):
    export = tmp_path / "export"
    meant = salesforce_report_export(DEMO_RAW, export)
    assert (export / "lead.csv").read_text(encoding="utf-8").endswith(FOOTER)
    kpis, _ = _build(export, "salesforce", SF_REPORT_SETTINGS, tmp_path)
    checked = _check(kpis, meant, tmp_path, {})
    assert checked == len(kpis) >= 20
    print(f"Salesforce report export: {checked} KPIs equal the independent figures")


def _small_report(tmp_path, created: list[str]):
    """Write a three-lead report export whose Created Date values are given."""
    export = tmp_path / "export"
    export.mkdir()
    lines = [
        '"Lead ID","Lead Owner","Lead Status","Created Date","Converted Opportunity ID",'
        '"MQL Date","Converted Date"'
    ]
    lines += [f'"00QX{n}","Alma Abara","Working","{day}","","",""' for n, day in enumerate(created)]
    (export / "lead.csv").write_text("\n".join(lines) + FOOTER, encoding="utf-8")
    (export / "user.csv").write_text(
        '"Full Name","Role","Active"\n"Alma Abara","Sales","1"' + FOOTER, encoding="utf-8"
    )
    (export / "web_sessions.csv").write_bytes((DEMO_RAW / "web_sessions.csv").read_bytes())
    return export


SMALL = SF_REPORT_SETTINGS + "unavailable: [task, event, opportunity]\n"


def test_an_ambiguous_day_month_order_is_refused_naming_the_column_and_setting(tmp_path):
    export = _small_report(tmp_path, ["3/1/2015 9:00 AM", "4/2/2015 9:00 AM", "5/3/2015 10:30 AM"])
    (export / "crm_source.yml").write_text(SMALL, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "build",
            "--source",
            "salesforce",
            "--data",
            str(export),
            "--as-of",
            "2015-10-15",
            "--out",
            str(tmp_path / "s"),
        ],
    )
    assert result.exit_code == 3, result.output
    assert "column 'Created Date'" in result.output
    assert "salesforce.date_format" in result.output and "DD/MM/YYYY" in result.output
    assert not (tmp_path / "s").exists()
    # The setting settles it: 3/1/2015 is the 3rd of January.
    (export / "crm_source.yml").write_text(
        SMALL.replace("\nunavailable", "\n  date_format: DD/MM/YYYY\nunavailable"), encoding="utf-8"
    )
    config = make_config(data=str(export), as_of="2015-10-15", out=str(tmp_path / "s"))
    created = [row["createddate"] for row in read_rows(config.raw_files["lead"])][:3]
    assert created == ["2015-01-03T15:00:00Z", "2015-02-04T15:00:00Z", "2015-03-05T16:30:00Z"]


def test_a_date_format_the_data_contradicts_is_refused(tmp_path):
    export = _small_report(tmp_path, ["3/1/2015 9:00 AM", "4/25/2015 9:00 AM", "5/3/2015 10:30 AM"])
    (export / "crm_source.yml").write_text(
        SMALL.replace("\nunavailable", "\n  date_format: DD/MM/YYYY\nunavailable"), encoding="utf-8"
    )
    with pytest.raises(Exception, match="month above 12 when read as DD/MM/YYYY"):
        make_config(data=str(export), as_of="2015-10-15", out=str(tmp_path / "s"))


def test_the_footer_is_not_read_as_rows(tmp_path):
    export = tmp_path / "export"
    salesforce_report_export(DEMO_RAW, export)
    (export / "crm_source.yml").write_text(SF_REPORT_SETTINGS, encoding="utf-8")
    config = make_config(data=str(export), as_of="2015-10-15", out=str(tmp_path / "s"))
    leads = read_rows(config.raw_files["lead"])
    assert len(leads) == len(read_rows(DEMO_RAW / "leads.csv"))
    assert not [row for row in leads if "Copyright" in json.dumps(row)]
    assert leads[0]["createddate"].endswith("Z") and "/" not in leads[0]["createddate"]
