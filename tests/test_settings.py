"""One settings file, read once (issue #22): sla-report.yml drives build, serve
and notify; the command line overrides it for one run; the printed hints work
as printed."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.commands.configure import make_config
from generator.exceptions import ConfigError
from generator.settings.settings_file import SETTINGS_FILE, read_settings
from tests.conftest import ROOT, copy_project, html_tables

HUBSPOT = "https://app.hubspot.com/contacts/{portal_id}/record/0-1/{lead_id}"
MATERIAL_EXTENSIONS = """markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
"""
UNSET = "SLA_REPORT_TEST_NEVER_SET"
REPO = "https://example.com/acme/sla/blob/main"


def _write(root: Path, text: str) -> Path:
    (root / SETTINGS_FILE).write_text(text, encoding="utf-8")
    return root


def test_the_repository_file_is_all_comments_so_the_demo_keeps_its_defaults():
    settings = read_settings(ROOT)
    assert settings.path == ROOT / SETTINGS_FILE
    assert (settings.data, settings.as_of, settings.out, settings.locale) == (None,) * 4
    # Every setting the file documents is one read_settings knows.
    documented = set(re.findall(r"^# (\w+):", (ROOT / SETTINGS_FILE).read_text(), re.M))
    assert documented == {
        "data",
        "source",
        "as_of",
        "out",
        "locale",
        "currency",
        "target",
        "memory_limit",
        "crm_links",
        "notify",
    }


def test_values_are_read_with_folders_relative_to_the_project(tmp_path):
    _write(
        tmp_path,
        f"""
data: ../exports
source: HubSpot
as_of: 2015-09-30
out: public
locale: th
currency: thb
memory_limit: 4GB
crm_links:
  lead: {HUBSPOT}
  portal_id: "1234567"
notify:
  site_url: https://acme.github.io/sla
  webhook_env: TEAM_WEBHOOK
  format: teams
""",
    )
    settings = read_settings(tmp_path)
    assert settings.data == (tmp_path.parent / "exports").resolve()
    assert settings.out == (tmp_path / "public").resolve()
    assert (
        settings.source,
        settings.as_of,
        settings.locale,
        settings.currency,
        settings.memory_limit,
    ) == ("hubspot", "2015-09-30", "th", "THB", "4GB")
    assert settings.crm_links == {"lead": HUBSPOT, "portal_id": "1234567"}
    assert (settings.notify.site_url, settings.notify.webhook_env, settings.notify.format) == (
        "https://acme.github.io/sla",
        "TEAM_WEBHOOK",
        "teams",
    )
    # The command line wins for one run; its folders are relative to where it runs.
    given = settings.overridden(locale="pt_BR", out="elsewhere", data=None)
    assert given.locale == "pt_BR" and given.out == Path("elsewhere").resolve()
    assert given.data == settings.data and settings.locale == "th"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("locle: th", "unknown setting 'locle' (did you mean locale?)"),
        ("source: pipedrive", "source: 'pipedrive' is not one of contract, salesforce, hubspot"),
        ("as_of: yesterday", "as_of: expected a day like 2015-10-15 or 'latest'"),
        ("as_of: 2015-02-30", "as_of: expected a day like 2015-10-15"),
        ("memory_limit: lots", "memory_limit: 'lots' is not a size like 8GB"),
        ("memory_limit: 150%", "memory_limit: '150%' is not a size"),
        ("out: ['a', 'b']", "out: expected a value"),
        ("crm_links: {lead: 'http://crm/x'}", "crm_links.lead: expected an https:// address"),
        ("crm_links: {lead: 'https://crm.example/{id}/{lead_id}'}", "{id} has no value"),
        (
            "notify: {webhook_env: 'https://hooks.slack.com/services/T/B/X'}",
            "is not an environment variable's name",
        ),
        ("notify: {site_url: 'javascript:alert(1)'}", "is not an http:// or https:// address"),
        ("notify: {fromat: slack}", "notify.fromat: unknown setting (did you mean format?)"),
        ("- data", "expected a mapping of settings"),
        ("data: [unclosed", "not readable YAML"),
    ],
)
def test_a_bad_value_names_the_file_the_key_and_what_was_expected(tmp_path, text, message):
    _write(tmp_path, text + "\n")
    with pytest.raises(ConfigError) as error:
        read_settings(tmp_path)
    assert str(tmp_path / SETTINGS_FILE) in str(error.value)
    assert message in str(error.value)


def test_every_command_stops_on_a_bad_settings_file_with_exit_3(tmp_path):
    project = copy_project(tmp_path / "project")
    _write(project, "locale: th\nas_of: someday\n")
    for command in (["build"], ["serve", "--no-watch"], ["notify", "--dry-run"], ["settings"]):
        result = CliRunner().invoke(cli, [*command, "--project-dir", str(project)])
        assert result.exit_code == 3, (command, result.output)
        assert "as_of: expected a day" in result.output, command
        assert "Traceback" not in result.output


def test_crm_links_moved_from_the_crm_settings_say_where_they_belong(tmp_path):
    from generator.inputs.source_settings import load_settings

    path = tmp_path / "crm_source.yml"
    path.write_text(f"crm_links:\n  lead: {HUBSPOT}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="crm_links belongs in the project's sla-report.yml"):
        load_settings(path, None)


def test_make_config_takes_the_file_and_the_command_line_wins(tmp_path):
    project = copy_project(tmp_path / "project")
    data = ROOT / "seeds" / "raw"
    _write(project, f"data: {data}\nas_of: 2015-09-30\nlocale: th\ncurrency: THB\nout: public\n")
    config = make_config(project_dir=project)
    assert (
        config.data_dir,
        config.as_of.isoformat(),
        config.locale,
        config.currency,
        config.out_dir,
    ) == (data, "2015-09-30", "th", "THB", project / "public")
    config = make_config(
        project_dir=project, as_of="2015-10-15", locale="pt_BR", out=str(tmp_path / "one-run")
    )
    assert (config.as_of.isoformat(), config.locale, config.currency, config.out_dir) == (
        "2015-10-15",
        "pt_BR",
        "THB",
        tmp_path / "one-run",
    )


def test_the_settings_command_shows_what_is_in_force(tmp_path):
    project = copy_project(tmp_path / "project")
    _write(project, "out: public\nlocale: th\n")
    shown = CliRunner().invoke(cli, ["settings", "--project-dir", str(project)])
    assert shown.exit_code == 0, shown.output
    assert "locale: th" in shown.output and "currency: (default)" in shown.output
    got = CliRunner().invoke(cli, ["settings", "--get", "out", "--project-dir", str(project)])
    assert got.output.strip() == str(project / "public")
    got = CliRunner().invoke(cli, ["settings", "--get", "data", "--project-dir", str(project)])
    assert got.exit_code == 0 and got.output == "\n"


@pytest.fixture(scope="module")
def built_with_options(tmp_path_factory):
    """A project whose sla-report.yml has CRM links, built with one-run options."""
    base = tmp_path_factory.mktemp("settings")
    project = copy_project(base / "project")
    _write(project, f'crm_links:\n  lead: {HUBSPOT}\n  portal_id: "1234567"\n')
    # Material's common settings that plain YAML cannot read (issue #22): MkDocs'
    # own loader reads them, and the build writes them back for MkDocs.
    mkdocs = (project / "mkdocs.yml").read_text(encoding="utf-8")
    mkdocs = mkdocs.replace("markdown_extensions:\n", MATERIAL_EXTENSIONS, 1)
    mkdocs = mkdocs.replace('repository_url: ""', f"repository_url: !ENV [{UNSET}, {REPO}]")
    (project / "mkdocs.yml").write_text(mkdocs, encoding="utf-8")
    data = base / "exports"
    data.mkdir()
    for path in (ROOT / "seeds" / "raw").glob("*.csv"):
        (data / path.name).write_bytes(path.read_bytes())
    options = [
        "--data",
        str(data),
        "--as-of",
        "2015-09-30",
        "--locale",
        "th",
        "--memory-limit",
        "3GB",
    ]
    before = dict(os.environ)
    result = CliRunner().invoke(cli, ["build", "--project-dir", str(project), *options])
    after = dict(os.environ)
    assert result.exit_code == 0, result.output
    changes = {
        name: (before.get(name), after.get(name))
        for name in {*before, *after}
        if before.get(name) != after.get(name)
    }
    return project, data, result.output, changes


def test_the_printed_preview_hint_serves_what_was_built(built_with_options, monkeypatch):
    project, data, output, _ = built_with_options
    hint = re.search(r"or run: (.+)$", output, re.M).group(1)
    program, *args = shlex.split(hint)
    if args[:2] == ["-m", "generator"]:
        args = args[2:]
    assert args[0] == "serve"
    # The hint's own arguments make the same build the command made.
    params = cli.commands["serve"].make_context("serve", args[1:]).params
    served = make_config(
        project_dir=Path(params["project_dir"] or project),
        data=params["data"],
        as_of=params["as_of"],
        out=params["out"],
        locale=params["locale"],
        currency=params["currency"],
    )
    assert (served.data_dir, served.as_of.isoformat(), served.locale, served.out_dir) == (
        data,
        "2015-09-30",
        "th",
        project / "build" / "site",
    )


def test_crm_links_from_the_settings_file_link_the_breach_queue(built_with_options):
    project, *_ = built_with_options
    site = project / "build" / "site"
    summary = json.loads((site / "summary.json").read_text(encoding="utf-8"))
    assert summary["as_of"] == "2015-09-30"
    links = [
        href
        for table in html_tables(site / "handoff.html")
        for row in table
        for _text, href in row
        if href and "app.hubspot.com" in href
    ]
    assert links, "the breach queue has no CRM link"
    assert all(
        re.fullmatch(r"https://app\.hubspot\.com/contacts/1234567/record/0-1/[\w-]+", href)
        for href in links
    ), links


# -- the environment: one registry, read in one place, never written ----------


def _python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_the_generator_reads_the_environment_only_through_the_registry():
    import ast

    offenders = []
    for path in _python_files("generator"):
        if path.name == "environment.py" and path.parent.name == "settings":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "os"
                and node.attr in ("environ", "getenv", "putenv", "unsetenv")
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} os.{node.attr}")
    assert offenders == []


def _names_read() -> dict[str, set[str]]:
    """Every environment variable read by the project's files, by where it is read."""
    found = {
        "profiles.yml": set(re.findall(r"env_var\('(\w+)'", (ROOT / "profiles.yml").read_text())),
        "Makefile": set(re.findall(r"\$\((SLA_REPORT_\w+)\)", (ROOT / "Makefile").read_text())),
        "workflows": set(),
        "tests": set(),
    }
    for workflow in (ROOT / ".github" / "workflows").glob("*.yml"):
        found["workflows"] |= set(
            re.findall(r"^\s+((?:SLA_REPORT|DBT_ENV_SECRET)_\w+):", workflow.read_text(), re.M)
        )
    for path in [*_python_files("tests"), *_python_files("benchmarks")]:
        found["tests"] |= set(
            re.findall(
                r"environ(?:\.get)?\(?\[?\"(SLA_REPORT_\w+)\"", path.read_text(encoding="utf-8")
            )
        )
    return found


def test_every_variable_read_is_registered_and_documented():
    from generator.settings.environment import BY_NAME, VARIABLES

    found = _names_read()
    assert "SLA_REPORT_DUCKDB_MEMORY_LIMIT" in found["profiles.yml"]  # the scan works
    assert "SLA_REPORT_CHROMIUM" in found["tests"] and "SLA_REPORT_DATA" in found["Makefile"]
    unregistered = {where: names - set(BY_NAME) for where, names in found.items()}
    assert unregistered == {where: set() for where in found}
    table = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`( \(secret\))? \|", table, re.M))
    assert {name: bool(secret) for name, secret in rows.items()} == {
        variable.name: variable.secret for variable in VARIABLES
    }


def test_a_build_leaves_the_environment_as_it_found_it(built_with_options):
    # Built with --memory-limit 3GB: before issue #22 it stayed in
    # SLA_REPORT_DUCKDB_MEMORY_LIMIT for every later build of the process.
    *_, environment_changes = built_with_options
    # Material for MkDocs sets this one itself when it is first imported.
    assert set(environment_changes) <= {"NO_MKDOCS_2_WARNING"}, environment_changes


def test_mkdocs_settings_plain_yaml_cannot_read_still_build(built_with_options):
    project, *_ = built_with_options
    definitions = (project / "build" / "site" / "definitions.html").read_text(encoding="utf-8")
    assert f"{REPO}/models/marts/fct_sales_kpis.sql" in definitions  # the !ENV default
