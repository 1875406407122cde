"""The CLI: documented commands, clear errors and scheduler-friendly exit codes."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import ROOT


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
def test_every_command_is_in_the_readme(command):
    assert f"sla-report {command}" in (ROOT / "README.md").read_text()


def test_exit_codes_are_documented_in_help_and_readme():
    result = CliRunner().invoke(cli, ["--help"])
    assert "3 bad configuration or input" in " ".join(result.output.split())
    assert "| 4 |" in (ROOT / "README.md").read_text()


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
        f"{t}.csv" for t in ["leads", "lead_activities", "opportunities", "revenue",
                             "web_sessions", "reps"])


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
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--out",
                               str(demo_site), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html",
                                            timeout=2) as response:
                    body = response.read().decode("utf-8")
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert "Data as of <strong>2015-10-15</strong>" in body
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_without_a_built_site_says_what_to_do(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--out", str(tmp_path)])
    assert result.exit_code == 3 and "run `sla-report build` first" in result.output
