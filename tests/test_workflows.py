"""The GitHub Actions workflows are valid, pinned, and run commands that work here."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent


def load(path: Path) -> dict:
    document = yaml.safe_load(path.read_text())
    # YAML 1.1 reads the key `on` as True.
    document["on"] = document.pop(True, document.get("on"))
    return document


def steps(document: dict):
    for job in document["jobs"].values():
        yield from job.get("steps", [])


def test_there_is_a_nightly_and_a_checks_workflow():
    assert {path.name for path in WORKFLOWS} == {"nightly.yml", "checks.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_is_valid_against_the_github_actions_schema(path):
    result = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit(path):
    uses = [step["uses"] for step in steps(load(path)) if "uses" in step]
    assert uses
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action


def test_nightly_runs_on_a_schedule_and_by_hand_and_deploys_only_after_a_build():
    nightly = load(ROOT / ".github" / "workflows" / "nightly.yml")
    assert nightly["on"]["schedule"][0]["cron"] and "workflow_dispatch" in nightly["on"]
    assert nightly["jobs"]["deploy"]["needs"] == "build"
    upload = next(
        s for s in nightly["jobs"]["build"]["steps"] if "upload-pages-artifact" in s.get("uses", "")
    )
    assert upload["with"]["path"] == "build/site"


def make_commands() -> list[list[str]]:
    commands = []
    for path in WORKFLOWS:
        for step in steps(load(path)):
            if "run" in step:
                command = re.sub(r"\$\{\{[^}]*\}\}", "", step["run"]).split()
                assert command[0] == "make", f"{path.name}: run steps call make: {step['run']}"
                commands.append(command)
    return commands


def test_every_run_step_is_a_make_target_that_exists():
    for command in make_commands():
        result = subprocess.run([*command, "-n"], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, f"{command}: {result.stderr}"


def _make(*args, tmp_path):
    # BIN's own Python and tools: the same ones `make install` put in .venv.
    return subprocess.run(
        ["make", *args, f"BIN={BIN}", f"VENV={BIN.parent}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp_path)},
    )


def test_the_nightly_commands_build_and_summarise_the_site(tmp_path):
    out = tmp_path / "site"
    fetched = _make("previous-summary", f"OUT={out}", "PAGES_URL=", tmp_path=tmp_path)
    assert fetched.returncode == 0, fetched.stderr
    data = ROOT / "seeds" / "raw"
    built = _make(
        "nightly", f"OUT={out}", f"SLA_REPORT_DATA={data}", "AS_OF=2015-10-15", tmp_path=tmp_path
    )
    assert built.returncode == 0, built.stdout + built.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["as_of"] == "2015-10-15" and summary["headline"].endswith("First build.")
    assert (out / "index.html").is_file()


def test_the_sql_lint_the_checks_workflow_runs_passes(tmp_path):
    linted = _make("lint-sql", tmp_path=tmp_path)
    assert linted.returncode == 0, linted.stdout[-3000:] + linted.stderr[-2000:]


def test_the_nightly_target_fails_without_a_data_source(tmp_path):
    """Never publish the demo by accident (issue #11)."""
    out = tmp_path / "site"
    built = _make("nightly", f"OUT={out}", "SLA_REPORT_DATA=", tmp_path=tmp_path)
    assert built.returncode != 0
    assert "SLA_REPORT_DATA is not set: no data source, nothing built" in built.stderr
    assert not out.exists()


def test_the_nightly_can_build_from_a_warehouse_with_credentials_from_secrets():
    """Issue #13: SLA_REPORT_TARGET instead of a data folder; the password is a secret."""
    nightly = yaml.safe_load((ROOT / ".github" / "workflows" / "nightly.yml").read_text())
    step = next(
        step for step in nightly["jobs"]["build"]["steps"] if "make nightly" in step.get("run", "")
    )
    assert "SLA_REPORT_TARGET=" in step["run"]
    assert step["env"]["DBT_ENV_SECRET_PG_PASSWORD"] == "${{ secrets.SLA_REPORT_PG_PASSWORD }}"
    # Issue #21: the CRM tokens too, each from the secret of its own name; no
    # other variable comes from a secret.
    secret_named = {
        "DBT_ENV_SECRET_PG_PASSWORD": "SLA_REPORT_PG_PASSWORD",
        **{name: name for name in CRM_SECRETS},
    }
    for name, value in step["env"].items():
        if name in secret_named:
            assert value == f"${{{{ secrets.{secret_named[name]} }}}}", name
        else:
            assert "secrets." not in value, name
    planned = subprocess.run(
        [
            "make",
            "-n",
            "nightly",
            "SLA_REPORT_TARGET=postgres",
            "SLA_REPORT_DATA=",
            "OUT=build/site",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert planned.returncode == 0, planned.stderr
    assert "pip install --quiet '.[postgres]'" in planned.stdout
    assert "sla-report build --out build/site --target postgres" in planned.stdout
    assert "--data" not in planned.stdout


CRM_SECRETS = (
    "HUBSPOT_ACCESS_TOKEN",
    "SALESFORCE_ACCESS_TOKEN",
    "SALESFORCE_CLIENT_ID",
    "SALESFORCE_CLIENT_SECRET",
)


def test_the_nightly_can_pull_the_crm_then_build_with_the_token_from_a_secret():
    """Issue #21: pull, build, publish in order; the pulled folder carried night to night."""
    nightly = yaml.safe_load((ROOT / ".github" / "workflows" / "nightly.yml").read_text())
    build_steps = nightly["jobs"]["build"]["steps"]
    step = next(step for step in build_steps if "make nightly" in step.get("run", ""))
    assert 'SLA_REPORT_PULL="${{ vars.SLA_REPORT_PULL }}"' in step["run"]
    assert set(CRM_SECRETS) <= set(step["env"])
    cache = next(s for s in build_steps if "actions/cache" in s.get("uses", ""))
    assert build_steps.index(cache) < build_steps.index(step)
    assert cache["with"]["path"] == "${{ vars.SLA_REPORT_DATA }}"
    planned = subprocess.run(
        [
            "make",
            "-n",
            "nightly",
            "SLA_REPORT_PULL=hubspot",
            "SLA_REPORT_DATA=crm-data",
            "SLA_REPORT_TARGET=",
            "OUT=build/site",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert planned.returncode == 0, planned.stderr
    lines = planned.stdout.splitlines()
    pull = next(
        i for i, line in enumerate(lines) if "sla-report pull hubspot --data crm-data" in line
    )
    build = next(
        i
        for i, line in enumerate(lines)
        if "sla-report build --out build/site --source hubspot --data crm-data" in line
    )
    assert "pip install --quiet '.[pull]'" in lines[pull - 1] and pull < build
