"""Meta-tests: templates only use what their page dataclass declares, and it is documented."""

from __future__ import annotations

import dataclasses

import pytest
from jinja2 import meta

from generator.site import contexts
from generator.site.render import make_environment

PAGE_TYPES = {
    "overview.md.j2": contexts.OverviewPage,
    "agreement.md.j2": contexts.AgreementPage,
    "marketing.md.j2": contexts.TeamPage,
    "handoff.md.j2": contexts.TeamPage,
    "sales.md.j2": contexts.TeamPage,
    "plan.md.j2": contexts.PlanPage,
    "history.md.j2": contexts.HistoryPage,
    "definitions.md.j2": contexts.DefinitionsPage,
    "data_quality.md.j2": contexts.DataQualityPage,
    "rep.md.j2": contexts.RepPage,
    "monthly.md.j2": contexts.MonthlyPage,
}
# Set by {% with %} around the shared partials (the KPI table, the legend of
# derived targets, the changed terms) on pages whose dataclass names them
# otherwise; `kpi`, the row of the loop that includes the week-before cells
# (issue #20); `first`, the By rep table's first row (its targets, set in a
# branch, which Jinja's analysis reads as undeclared).
LOCAL_NAMES = {"final", "kpis", "root", "show_period", "kpi", "first"}


def _variables(environment, name: str) -> set[str]:
    source = environment.loader.get_source(environment, name)[0]
    found = meta.find_undeclared_variables(environment.parse(source))
    for included in meta.find_referenced_templates(environment.parse(source)):
        found |= _variables(environment, included)
    return found


@pytest.mark.parametrize(("template", "page_type"), sorted(PAGE_TYPES.items()))
def test_every_template_variable_is_declared_on_its_page(template, page_type):
    environment = make_environment()
    declared = {field.name for field in dataclasses.fields(page_type)} | LOCAL_NAMES
    assert _variables(environment, template) - declared == set()


def test_every_template_has_a_page_type():
    environment = make_environment()
    pages_templates = {name for name in environment.list_templates() if not name.startswith("_")}
    assert pages_templates == set(PAGE_TYPES)


@pytest.mark.parametrize("page_type", sorted(set(PAGE_TYPES.values()), key=lambda t: t.__name__))
def test_every_page_field_has_help(page_type):
    for field in dataclasses.fields(page_type):
        assert field.metadata.get("help"), f"{page_type.__name__}.{field.name} has no help"


def test_no_template_puts_data_text_in_a_code_span():
    # Markdown does not process backslash escapes inside `code`, so escaped
    # data would show its backslashes there: data text goes outside code spans.
    import re

    environment = make_environment()
    for name in environment.list_templates():
        source = environment.loader.get_source(environment, name)[0]
        spans = re.findall(r"`([^`\n]*)`", source.replace("````", ""))
        assert not [span for span in spans if re.search(r"\|\s*text\b", span)], name
