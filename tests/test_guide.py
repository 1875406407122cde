"""The "Change a KPI" guide works: follow it step by step on a copy of the project.

The steps are read from the guide itself (docs/change-a-kpi.md, the analysts'
documentation, which the README links), so the test follows what readers follow.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import ROOT, copy_built_project, html_tables, page_text

GUIDE = ROOT / "docs" / "change-a-kpi.md"
STEP = re.compile(
    r"<!-- guide: (insert after|insert before|append to) (?:«(.+?)» in )?(\S+) -->"
    r"\n```\w+\n(.*?)```",
    re.S,
)


def guide_steps(text: str) -> list[tuple[str, str | None, str, str]]:
    """Return (action, anchor, file, block) for every edit the guide asks for."""
    return STEP.findall(text)


def follow(project, steps) -> None:
    """Apply each step to the project exactly as written."""
    for action, anchor, relative, block in steps:
        path = project / relative
        text = path.read_text(encoding="utf-8")
        if action == "append to":
            text = text + ("" if text.endswith("\n") else "\n") + block
        else:
            lines = text.splitlines(keepends=True)
            matches = [index for index, line in enumerate(lines) if anchor in line]
            assert len(matches) == 1, f"{relative}: the guide's anchor {anchor!r} is ambiguous"
            at = matches[0] + (1 if action == "insert after" else 0)
            lines[at:at] = [block]
            text = "".join(lines)
        path.write_text(text, encoding="utf-8")


def test_the_guide_has_its_steps_once_and_the_readme_links_it():
    steps = guide_steps(GUIDE.read_text(encoding="utf-8"))
    assert len(steps) == 4
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/change-a-kpi.md)" in readme
    assert guide_steps(readme) == []  # one copy of the steps: the guide's


def test_the_guide_is_out_of_the_executives_site_and_named_on_about():
    # Issue #22: the analysts' guide leaves the site's navigation; the site's
    # About page still tells an analyst where it is.
    assert "change-a-kpi" not in (ROOT / "mkdocs.yml").read_text()
    assert not (ROOT / "site" / "docs" / "change-a-kpi.md").exists()
    for about in (ROOT / "site" / "docs").glob("about*.md"):
        assert "`docs/change-a-kpi.md`" in about.read_text(encoding="utf-8"), about.name


@pytest.fixture(scope="module")
def guided_site(tmp_path_factory, plain_build):
    """A copy of the project, built, then changed as the guide says and rebuilt.

    The copy comes with a finished build's database: its first build re-renders the pages.
    """
    base = tmp_path_factory.mktemp("guide")
    project = copy_built_project(plain_build, base)
    out = base / "site"
    args = ["build", "--project-dir", str(project), "--out", str(out)]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    before = json.loads((out / "summary.json").read_text())
    follow(project, guide_steps(GUIDE.read_text(encoding="utf-8")))
    second = CliRunner().invoke(cli, args)
    assert second.exit_code == 0, second.output
    return project, out, before


def _summary_kpi(out, kpi_id):
    summary = json.loads((out / "summary.json").read_text())
    return next(kpi for kpi in summary["kpis"] if kpi["id"] == kpi_id)


def test_the_new_kpi_has_the_value_proposals_over_opportunities(guided_site):
    _, out, before = guided_site
    assert "proposal_rate" not in {kpi["id"] for kpi in before["kpis"]}
    proposals = _summary_kpi(out, "proposals")["value"]
    opportunities = _summary_kpi(out, "opportunities")["value"]
    new = _summary_kpi(out, "proposal_rate")
    assert opportunities > 0
    assert new["value"] == pytest.approx(proposals / opportunities)
    assert new["target"] == pytest.approx(0.55)
    assert new["title"] == "Proposal rate" and new["owner"] == "sales"
    assert new["status"] == (
        "on_track"
        if new["value"] >= 0.55
        else "at_risk"
        if new["value"] >= 0.55 * 0.9
        else "behind"
    )


def test_the_new_kpi_is_on_every_page_it_belongs_to(guided_site):
    _, out, _ = guided_site
    shown = f"{_summary_kpi(out, 'proposal_rate')['value'] * 100:.1f}%"
    for page in ("index.html", "sales.html", "agreement.html"):
        text = page_text(out / page)
        assert "Proposal rate" in text or "proposal" in text.lower(), page
        assert shown in text, f"{page} does not show {shown}"
    agreement = page_text(out / "agreement.html")
    assert "A proposal for at least 55% of new opportunities." in agreement
    for page in ("monthly.html", "history.html"):
        assert any(
            "Proposal rate" in cell
            for table in html_tables(out / page)
            for row in table
            for cell, _ in row
        ), page
    assert "Proposal rate" not in page_text(out / "marketing.html")


def test_the_definitions_page_shows_the_new_kpis_own_sql_and_raw_tables(guided_site):
    _, out, _ = guided_site
    text = page_text(out / "definitions.html")
    start = (
        text.index("Proposal rate¶") if "Proposal rate¶" in text else text.index("Proposal rate")
    )
    section = text[start : text.index("¶", start + 20)]
    assert (
        "Lead-sourced proposals sent divided by lead-sourced opportunities created, "
        "both in the period."
    ) in section
    assert "as proposal_rate" in section
    assert "proposals_counted" in section and "created_counted" in section
    assert "revenue_summed" not in section, "the excerpt must hold only what the KPI reads"
    assert "crm.opportunities" in section.replace("\\", "")
