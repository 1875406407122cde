"""The live preview: rebuild on save, reload the page, show a broken build, recover."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from generator.commands.serve import SCRIPT_PATH, STATUS_PATH, locate
from tests.conftest import HUNG_AFTER, copy_built_project


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return response.read().decode("utf-8")


def _status(port: int) -> dict:
    return json.loads(_get(port, STATUS_PATH))


def _wait(port: int, server, after: int, timeout: float = HUNG_AFTER) -> dict:
    """Return the status once a build numbered above `after` has finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the preview stopped: {server.stdout.read()}")
        try:
            status = _status(port)
            if status["build_id"] > after and status["state"] != "building":
                return status
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError("no build finished in time")


@pytest.fixture()
def preview(tmp_path, plain_build):
    # With a finished build's database: the preview's first build re-renders the pages.
    project = copy_built_project(plain_build, tmp_path)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator",
            "serve",
            "--port",
            str(port),
            "--out",
            str(tmp_path / "site"),
        ],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield project, port, server, tmp_path / "site"
    finally:
        server.terminate()
        server.wait(timeout=HUNG_AFTER)


def test_edit_break_and_fix_while_previewing(preview):
    project, port, server, site = preview
    status = _wait(port, server, 0)
    assert status == {"build_id": 1, "state": "ok", "error": None}

    # The served page carries the reload script; the built file never does.
    page = _get(port, "/agreement.html")
    assert f'<script src="{SCRIPT_PATH}" data-build="1"></script>' in page
    assert SCRIPT_PATH not in (site / "agreement.html").read_text()
    assert "poll" in _get(port, SCRIPT_PATH) and STATUS_PATH in _get(port, SCRIPT_PATH)
    assert not any(SCRIPT_PATH in p.read_text(errors="ignore") for p in site.rglob("*.html"))

    # 1. A text edit: rebuilt and served, the page's build id moves on.
    text = project / "site" / "agreements" / "2015-h2.md"
    original = text.read_text()
    text.write_text(original + "\nEdited while previewing.\n")
    status = _wait(port, server, 1)
    assert status["state"] == "ok"
    page = _get(port, "/agreement.html")
    assert "Edited while previewing." in page and f'data-build="{status["build_id"]}"' in page

    # 2. An unknown KPI: an error page with message, file and line; the last
    #    good site stays under it.
    lines = original.splitlines()
    lines.insert(2, 'We also promise {{ kpi("winrate") }}.')
    text.write_text("\n".join(lines) + "\n")
    status = _wait(port, server, status["build_id"])
    assert status["state"] == "error"
    assert status["error"]["file"] == "site/agreements/2015-h2.md"
    assert status["error"]["line"] == 3
    assert "did you mean win_rate?" in status["error"]["message"]
    page = _get(port, "/agreement.html")
    assert "sla-report-build-error" in page and "did you mean win_rate?" in page
    assert "site/agreements/2015-h2.md, line 3" in page
    assert "Edited while previewing." in page, "the last good site must stay available"

    # 3. A SQL error in a model (fixing the text at the same save).
    text.write_text(original)
    model = project / "models" / "marts" / "fct_sales_kpis.sql"
    good_sql = model.read_text()
    model.write_text(
        good_sql.replace(
            "coalesce(created_counted.opportunities, 0)",
            "coalesce(created_counted.opportunitiez, 0)",
        )
    )
    status = _wait(port, server, status["build_id"])
    assert status["state"] == "error", status
    assert status["error"]["file"] == "models/marts/fct_sales_kpis.sql"
    line = (
        good_sql.splitlines().index(
            next(row for row in good_sql.splitlines() if "created_counted.opportunities, 0" in row)
        )
        + 1
    )
    assert status["error"]["line"] == line
    assert "opportunitiez" in status["error"]["message"]

    # 4. A failing data test.
    model.write_text(good_sql)
    test = project / "data-tests" / "assert_no_agreement_in_the_preview.sql"
    test.write_text("select agreement_id from {{ ref('dim_agreements') }}\n")
    status = _wait(port, server, status["build_id"])
    assert status["state"] == "error", status
    assert status["error"]["file"] == "data-tests/assert_no_agreement_in_the_preview.sql"
    assert "dbt test(s) failed" in status["error"]["message"]

    # 5. Fixed: the error is gone without a restart, and the page is the new site.
    test.unlink()
    status = _wait(port, server, status["build_id"])
    assert status == {"build_id": status["build_id"], "state": "ok", "error": None}
    page = _get(port, "/agreement.html")
    assert "sla-report-build-error" not in page and "Edited while previewing." not in page
    assert server.poll() is None


def test_an_error_names_the_file_and_line_it_mentions(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "x.md").write_text("x")
    assert locate("site/x.md:12: unknown KPI", tmp_path) == ("site/x.md", 12)
    assert locate("in model y (models/y.sql)", tmp_path) == ("models/y.sql", None)
    assert locate("no file here", tmp_path) == (None, None)


def test_the_published_site_has_no_reload_script(demo_site: Path):
    assert not any(
        SCRIPT_PATH in path.read_text(errors="ignore") for path in demo_site.rglob("*.html")
    )


def test_a_port_in_use_is_a_clear_error(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from generator.cli import cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["serve", "--port", str(port), "--out", str(tmp_path / "site")]
        )
    assert result.exit_code == 3, result.output
    assert f"cannot serve on 127.0.0.1:{port}" in result.output and "--port" in result.output
