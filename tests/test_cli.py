"""The CLI: documented commands, clear errors and scheduler-friendly exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import HUNG_AFTER, ROOT


def _commands(group, prefix=()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))


COMMANDS = [" ".join(path) for path in _commands(cli)]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(cli, [*command.split(), "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_commands_page(command):
    # The reference moved from the README to docs/commands.md (issue #22).
    assert f"sla-report {command}" in (ROOT / "docs" / "commands.md").read_text()


def test_exit_codes_are_documented_in_help_and_the_commands_page():
    result = CliRunner().invoke(cli, ["--help"])
    assert "3 bad configuration or input" in " ".join(result.output.split())
    assert "| 4 |" in (ROOT / "docs" / "commands.md").read_text()


def test_bad_as_of_exits_3_with_a_message():
    result = CliRunner().invoke(cli, ["build", "--as-of", "tomorrow-ish"])
    assert result.exit_code == 3
    assert "--as-of must be a date" in result.output


def test_missing_data_folder_exits_3(tmp_path):
    result = CliRunner().invoke(cli, ["build", "--data", str(tmp_path / "none")])
    assert result.exit_code == 3
    assert "no such folder" in result.output


def test_demo_data_command_writes_every_table(tmp_path):
    result = CliRunner().invoke(cli, ["demo-data", str(tmp_path), "--scale", "0.1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{t}.csv"
        for t in [
            "leads",
            "lead_activities",
            "opportunities",
            "revenue",
            "web_sessions",
            "reps",
            "lead_owner_history",
        ]
    )


def test_a_usage_error_exits_2():
    result = CliRunner().invoke(cli, ["build", "--no-such-option"])
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_serve_previews_the_built_site_on_localhost(demo_site):
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator",
            "serve",
            "--no-watch",
            "--out",
            str(demo_site),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + HUNG_AFTER
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/index.html", timeout=2
                ) as response:
                    body = response.read().decode("utf-8")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert "Data as of <strong>Thu 15 Oct 2015</strong>" in body
    finally:
        server.terminate()
        server.wait(timeout=HUNG_AFTER)


def test_serve_without_a_built_site_says_what_to_do(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--no-watch", "--out", str(tmp_path)])
    assert result.exit_code == 3 and "run `sla-report build` first" in result.output


def test_the_project_is_the_current_directory(tmp_path, monkeypatch):
    """Inside a copy of the project, the copy is used, not the installed package's folder."""
    from generator.commands.configure import make_config
    from tests.conftest import copy_project

    project = copy_project(tmp_path / "copy")
    monkeypatch.chdir(project)
    config = make_config()
    assert config.project_dir == project.resolve()
    assert config.out_dir == project.resolve() / "build" / "site"
    before = (ROOT / "seeds" / "reference" / "sla_agreements.csv").read_text()
    result = CliRunner().invoke(
        cli,
        ["agreement", "new", "--from", "2015-h2", "--starts", "2016-01-01", "--ends", "2016-06-30"],
    )
    assert result.exit_code == 0, result.output
    assert "2016-01-01" in (project / "seeds" / "reference" / "sla_agreements.csv").read_text()
    assert (ROOT / "seeds" / "reference" / "sla_agreements.csv").read_text() == before


@pytest.mark.parametrize(
    "command",
    [
        ["build"],
        ["serve"],
        ["agreement", "new", "--from", "a", "--starts", "2016-01-01", "--ends", "2016-02-01"],
        ["agreement", "reset", "a", "--on", "2016-01-01"],
    ],
)
def test_outside_a_project_every_command_exits_3_saying_what_to_do(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 3, result.output
    assert "is not an SLA Report project (no dbt_project.yml here)" in result.output
    assert "--project-dir" in result.output
    result = CliRunner().invoke(cli, [*command, "--project-dir", str(tmp_path)])
    assert result.exit_code == 3, result.output
    assert f"--project-dir {tmp_path.resolve()}: not an SLA Report project" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_takes_verbose_and_quiet(command):
    result = CliRunner().invoke(cli, [*command.split(), "--help"])
    assert "-v, --verbose" in result.output and "-q, --quiet" in result.output


def test_verbose_and_quiet_work_after_the_command(tmp_path):
    for flag in ("-v", "--verbose", "-q", "--quiet"):
        result = CliRunner().invoke(cli, ["build", flag, "--as-of", "tomorrow-ish"])
        assert result.exit_code == 3, f"{flag}: {result.output}"
    loud = CliRunner().invoke(cli, ["demo-data", str(tmp_path / "a"), "--scale", "0.05"])
    quiet = CliRunner().invoke(cli, ["demo-data", str(tmp_path / "b"), "--scale", "0.05", "-q"])
    assert loud.exit_code == quiet.exit_code == 0
    assert "leads:" in loud.output and quiet.output == ""
    assert (tmp_path / "b" / "leads.csv").is_file()


def test_the_final_hint_is_a_command_that_works_as_shown(tmp_path, monkeypatch):
    import shlex

    from generator.cli import serve_hint

    monkeypatch.chdir(ROOT)
    assert serve_hint(ROOT, []) == "make serve"
    out = tmp_path / "my site"
    hint = serve_hint(ROOT, ["--out", str(out)])
    program, *args = shlex.split(hint)
    assert Path(program).is_file(), hint  # the venv's python (or sla-report), by full path
    if args[:2] == ["-m", "generator"]:
        args = args[2:]
    assert args == ["serve", "--out", str(out)]
    # The arguments parse as given.
    context = cli.commands["serve"].make_context("serve", args[1:])
    assert context.params["out"] == str(out)
    # Outside the project, the hint names it.
    monkeypatch.chdir(tmp_path)
    assert f"--project-dir {ROOT}" in serve_hint(ROOT, [])
