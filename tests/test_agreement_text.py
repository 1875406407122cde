"""Agreement texts: live figures beside commitments; bad references fail with file:line."""

from __future__ import annotations

import pytest

from generator.exceptions import ConfigError
from generator.report.kpi_views import KpiView
from generator.report.kpis import KpiDefinition
from generator.site.agreement_text import render_agreement_text

AGREEMENT = {
    "agreement_id": "a1",
    "title": "Test",
    "revenue_goal": 1000000.0,
    "first_touch_business_hours": 4.0,
    "time_zone": "UTC",
    "period_start_date": "2015-01-01",
    "period_end_date": "2015-06-30",
}


def kpi(kpi_id="mqls", actual=850.0, target=1310.0, status="on_track", unit="count"):
    spec = KpiDefinition(
        kpi_id=kpi_id,
        title="MQLs",
        section="marketing",
        owner="marketing",
        unit=unit,
        noun="MQLs",
        direction="higher",
        pacing="cumulative",
        definition="",
        sample_noun="",
        model="fct_marketing_kpis",
        model_path="",
        raw_sql="",
        compiled_sql="",
    )
    return KpiView(
        spec=spec,
        actual=actual,
        target=target,
        target_source="derived",
        expected_to_date=762.0,
        projected=1400.0,
        gap_to_expected=88.0,
        status=status,
        is_target_met=False,
        needed_rest_of_period=460.0,
        needed_this_month=153.3,
        sample_size=None,
        min_sample=20,
        actual_all_sources=None,
        is_lower_bound=False,
    )


def write(tmp_path, text: str):
    folder = tmp_path / "site" / "agreements"
    folder.mkdir(parents=True)
    (folder / "a1.md").write_text(text)


def test_live_figures_are_filled_in(tmp_path):
    write(
        tmp_path,
        "Deliver {{ target('mqls') }} MQLs. {{ kpi('mqls') }}\n"
        "Touch within {{ term('first_touch_business_hours') }} hours.\n",
    )
    body = render_agreement_text(tmp_path, AGREEMENT, [kpi()])
    assert "Deliver 1,310 MQLs." in body
    assert "<strong>850</strong> to date" in body and "pace 762" in body
    assert ">On track<" in body
    assert "Touch within 4 hours." in body


def test_unknown_kpi_names_file_and_line(tmp_path):
    write(tmp_path, "line one\n\nWe deliver {{ kpi('mqlz') }}.\n")
    with pytest.raises(ConfigError, match=r"site/agreements/a1.md:3: unknown KPI 'mqlz'"):
        render_agreement_text(tmp_path, AGREEMENT, [kpi()])


def test_unknown_term_names_file_and_line(tmp_path):
    write(tmp_path, "{{ term('revenue_gaol') }}\n")
    with pytest.raises(ConfigError, match=r"a1.md:1: unknown term 'revenue_gaol'"):
        render_agreement_text(tmp_path, AGREEMENT, [kpi()])


def test_undefined_name_names_file_and_line(tmp_path):
    write(tmp_path, "ok\n{{ revenue }}\n")
    with pytest.raises(ConfigError, match=r"a1.md:2: .*revenue"):
        render_agreement_text(tmp_path, AGREEMENT, [kpi()])


def test_syntax_error_names_file_and_line(tmp_path):
    write(tmp_path, "ok\n\n{% if %}\n")
    with pytest.raises(ConfigError, match=r"a1.md:3:"):
        render_agreement_text(tmp_path, AGREEMENT, [kpi()])


def test_missing_text_names_the_expected_file(tmp_path):
    with pytest.raises(ConfigError, match=r"site/agreements/a1.md: missing"):
        render_agreement_text(tmp_path, AGREEMENT, [kpi()])


def test_the_sandbox_blocks_python_internals(tmp_path):
    write(tmp_path, "{{ kpi.__globals__ }}\n")
    with pytest.raises(ConfigError):
        render_agreement_text(tmp_path, AGREEMENT, [kpi()])


def test_an_unknown_kpi_suggests_the_closest_name(tmp_path):
    write(tmp_path, "Win {{ kpi('winrate') }}.\n")
    with pytest.raises(
        ConfigError,
        match=r"a1.md:1: unknown KPI 'winrate' in kpi\(\); "
        r"did you mean win_rate\?",
    ):
        render_agreement_text(tmp_path, AGREEMENT, [kpi("win_rate", unit="rate")])


def test_term_names_are_the_sla_agreements_columns():
    import csv

    from generator.site.agreement_text import COMPUTED_TERMS, SEED_TERMS
    from tests.conftest import REFERENCE

    with (REFERENCE / "sla_agreements.csv").open() as handle:
        header = next(csv.reader(handle))
    assert list(SEED_TERMS) == header
    assert not set(COMPUTED_TERMS) & set(header)


def test_every_term_renders_from_the_demo_agreements(demo_build):
    """Each term() name reads an existing rpt_agreements column."""
    from generator.dbt.warehouse import Warehouse
    from generator.site.agreement_text import TERMS, _term

    config, _ = demo_build
    with Warehouse(config.database_path) as warehouse:
        row = warehouse.rows("rpt_agreements")[-1]
    rendered = {name: _term(row, name) for name in TERMS}
    assert rendered["mql_to_sql"] == "40%" and rendered["business_day_start"] == "09:00"
    # Dates as the site writes them, in its locale (issue #14).
    assert rendered["starts_on"] == "Wed 1 Jul 2015" and rendered["timezone"] == "America/Chicago"


def test_an_old_term_name_suggests_the_column_name(tmp_path):
    write(tmp_path, "{{ term('mql_to_sql_rate') }}\n")
    with pytest.raises(
        ConfigError,
        match=r"unknown term 'mql_to_sql_rate' in term\(\); "
        r"did you mean mql_to_sql\?",
    ):
        render_agreement_text(tmp_path, AGREEMENT, [kpi()])


def test_a_typo_in_an_agreement_text_fails_before_dbt_runs(tmp_path, monkeypatch):
    """The build stops at the check, not after the dbt build (it never starts)."""
    from click.testing import CliRunner

    import generator.commands.build
    from generator.cli import cli
    from tests.conftest import copy_project

    project = copy_project(tmp_path / "project")
    text = project / "site" / "agreements" / "2015-h2.md"
    lines = text.read_text().splitlines()
    lines.insert(4, "Win rate: {{ kpi('winrate') }}")
    text.write_text("\n".join(lines) + "\n")

    def no_dbt(*args, **kwargs):
        raise AssertionError("dbt ran before the agreement texts were checked")

    monkeypatch.setattr(generator.commands.build, "run_dbt_build", no_dbt)
    monkeypatch.setattr(generator.commands.build, "make_fingerprint", no_dbt)
    result = CliRunner().invoke(
        cli, ["build", "--project-dir", str(project), "--out", str(tmp_path / "site")]
    )
    assert result.exit_code == 3, result.output
    assert (
        "site/agreements/2015-h2.md:5: unknown KPI 'winrate' in kpi(); did you mean win_rate?"
    ) in result.output


def test_a_template_syntax_error_is_caught_before_dbt(tmp_path):
    from jinja2 import DictLoader, Environment

    from generator.site.render import check_templates

    environment = Environment(
        loader=DictLoader({"ok.md.j2": "{{ x }}", "bad.md.j2": "a\n{% for %}\n"})
    )
    with pytest.raises(ConfigError, match=r"generator/site/templates/bad.md.j2:2:"):
        check_templates(environment)


def test_a_closed_period_says_final_not_to_date(tmp_path):
    from dataclasses import replace

    write(tmp_path, "{{ kpi('mqls') }}\n")
    closed = replace(kpi(status="met"), period_state="final")
    body = render_agreement_text(tmp_path, AGREEMENT, [closed])
    assert "<strong>850</strong> final" in body and ">Met<" in body
    assert "to date" not in body and "pace" not in body
