"""`sla-report pull hubspot|salesforce` against local API servers (issue #21).

tests/crm_servers.py speaks HubSpot's and Salesforce's documented endpoints
on 127.0.0.1 and serves the records of the CRM exports tests/crm_exports.py
writes from the demo world. The tests show that

- a pull builds the same site, KPI for KPI, as the same records as files
  (summary.json against the file build the source-build tests also use),
  even through a 500, a 429 with Retry-After and a timeout on the way;
- a nightly pull after edits, a new record and deletions stores exactly
  the tables a full pull stores, and fetched only what changed;
- every fault ends in a clear message and exit code, with the token in no
  output, and leaves the last good data folder byte for byte as it was;
- nothing but 127.0.0.1 is ever contacted (dlt's telemetry is off by its
  config file).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
from pathlib import Path
from unittest import mock

import duckdb
import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli
from generator.commands.demo_data import write_demo_data
from generator.inputs.pull import store
from tests.conftest import EXPORT_AS_OF, ROOT, Needles
from tests.crm_exports import HS_SETTINGS, SF_SETTINGS, hubspot_export, salesforce_export
from tests.crm_servers import TOKEN, Answer, FakeHubSpot, FakeSalesforce, Fault

ENV = {"HUBSPOT_ACCESS_TOKEN": TOKEN, "SALESFORCE_ACCESS_TOKEN": TOKEN}
SETTINGS = {"hubspot": HS_SETTINGS, "salesforce": SF_SETTINGS}
# Fast retries for the tests; the defaults (1 s back-off, 60 s timeout) are for CRMs.
FAST = {"backoff_seconds": 0.05, "timeout_seconds": 2, "max_attempts": 3}


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch):
    """Fail any connection to an address other than 127.0.0.1 (no CRM, no telemetry)."""
    connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in (
            "127.0.0.1",
            "::1",
            "localhost",
        ):
            raise AssertionError(f"a pull test tried to reach {address}")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def project(root: Path, system: str, url: str, data: Path, **pull) -> Path:
    """Write a project folder whose crm_source.yml points the pull at a local server."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "dbt_project.yml", root / "dbt_project.yml")
    fast_jobs = {"poll_seconds": 0.05} if system == "salesforce" else {}
    section = {
        **FAST,
        "data": str(data),
        system: {"base_url": url, **fast_jobs, **pull.pop(system, {})},
        **pull,
    }
    (root / "crm_source.yml").write_text(yaml.safe_dump({"pull": section}), encoding="utf-8")
    return root


def seed_data_folder(data: Path, system: str, export: Path) -> None:
    """Put what the CRM does not hold in the data folder: web sessions and the org's settings."""
    data.mkdir(parents=True, exist_ok=True)
    shutil.copy2(export / "web_sessions.csv", data / "web_sessions.csv")
    (data / "crm_source.yml").write_text(SETTINGS[system], encoding="utf-8")


def pull(project_dir: Path, system: str, *args: str, env: dict | None = None):
    return CliRunner().invoke(
        cli,
        ["pull", system, "--project-dir", str(project_dir), *args],
        env=ENV if env is None else env,
    )


def tables(folder: Path) -> dict[str, list[tuple]]:
    """Return every Parquet table of a data folder as sorted rows (for equality)."""
    found = {}
    with duckdb.connect() as connection:
        for path in sorted(folder.glob("*.parquet")):
            rows = connection.execute(f"select * from read_parquet('{path}')").fetchall()
            found[path.stem] = sorted(rows, key=repr)
    return found


def fingerprint(folder: Path) -> dict[str, str]:
    """Return file -> content hash of everything in a folder (state included)."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def record(data: Path) -> dict:
    return json.loads((data / ".sla-report-pull" / "last_pull.json").read_text())


# -- the demo world, pulled, builds the same site as its files -----------------------------


@pytest.mark.parametrize(
    "system,export_name", [("hubspot", "hubspot"), ("salesforce", "salesforce-dataloader")]
)
def test_a_pull_builds_the_same_site_as_the_files(system, export_name, export_build, tmp_path):
    """KPI for KPI; a 500, a 429 and a timeout on the way cost retries, not records."""
    _, export, files_site, _ = export_build(export_name)
    server = FakeHubSpot(export) if system == "hubspot" else FakeSalesforce(export)
    first = "/crm/v3/objects/deals" if system == "hubspot" else "/queryAll"
    server.faults = [
        Fault(first, 500),
        Fault(first, 429, headers={"Retry-After": "1"}),
        Fault("/owners" if system == "hubspot" else "/jobs/query", delay=3),
    ]
    data = tmp_path / "data"
    seed_data_folder(data, system, export)
    with server:
        result = pull(project(tmp_path / "project", system, server.url, data), system)
    assert result.exit_code == 0, result.output
    assert all(fault.times == 0 for fault in server.faults), "every fault was met"
    assert TOKEN not in result.output
    pulled = record(data)
    assert pulled["mode"] == "full" and pulled["retries"] >= 2
    print(
        f"{system}: pulled {len(pulled['stored'])} tables, {sum(pulled['stored'].values()):,}"
        f" rows ({', '.join(f'{t} {n:,}' for t, n in pulled['stored'].items())}), "
        f"{pulled['requests']} requests ({pulled['retries']} retried), "
        f"{pulled['seconds']} s"
    )
    site = tmp_path / "site"
    built = CliRunner().invoke(
        cli,
        [
            "build",
            "--source",
            system,
            "--data",
            str(data),
            "--as-of",
            EXPORT_AS_OF.isoformat(),
            "--out",
            str(site),
        ],
    )
    assert built.exit_code == 0, built.output
    from_pull = json.loads((site / "summary.json").read_text())["kpis"]
    from_files = json.loads((files_site / "summary.json").read_text())["kpis"]
    assert [k["id"] for k in from_pull] == [k["id"] for k in from_files]
    for pulled_kpi, file_kpi in zip(from_pull, from_files, strict=True):
        assert (pulled_kpi["value"], pulled_kpi["status"], pulled_kpi.get("reason")) == (
            file_kpi["value"],
            file_kpi["status"],
            file_kpi.get("reason"),
        ), pulled_kpi["id"]
    assert sum(k["value"] is not None for k in from_pull) >= 20
    _no_private_data_pulled(data, export, system)


def _no_private_data_pulled(data: Path, export: Path, system: str) -> None:
    """Leads' e-mail addresses and phone numbers are never requested, so never stored."""
    name = "CONTACT" if system == "hubspot" else "LEAD"
    path = next(p for p in export.iterdir() if p.stem.upper() == name)
    text = path.read_text(encoding="utf-8")
    private = {
        value
        for value in text.replace("\n", ",").split(",")
        if "@" in value or value.startswith("+1 555")
    }
    assert len(private) > 1000
    stored = " ".join(repr(rows) for rows in tables(data).values())
    assert not Needles(private).found_in(stored)


# -- nightly pulls: only what changed, and the same tables as a full pull -------------------


@pytest.fixture(scope="module")
def small_world(tmp_path_factory) -> Path:
    """A tenth of the demo world, for the tests that pull many times."""
    raw = tmp_path_factory.mktemp("small-raw")
    write_demo_data(raw, scale=0.1)
    return raw


def _export(small_world: Path, system: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if system == "hubspot":
        hubspot_export(small_world, folder)
    else:
        salesforce_export(small_world, folder, "dataloader")
    return folder


def _edit_hubspot(server: FakeHubSpot) -> None:
    contacts = sorted(server.records["contacts"])
    server.touch("contacts", contacts[3], hubspot_owner_id="S01", hs_lead_status="UNQUALIFIED")
    server.archive("contacts", contacts[5])
    calls = sorted(server.records["calls"])
    server.archive("calls", calls[0])
    server.create(
        "calls",
        "9999001",
        {
            "hs_timestamp": "2015-10-15T15:00:00Z",
            "hubspot_owner_id": "S02",
            "hs_engagement_source": "CRM_UI",
        },
        [contacts[7]],
    )
    deal = sorted(server.records["deals"])[2]
    server.records["deals"][deal]["contacts"] = [contacts[9]]
    server.touch("deals", deal, amount="4321", dealstage="closedlost")


def _edit_salesforce(server: FakeSalesforce) -> None:
    leads = sorted(server.objects["Lead"])
    server.touch("Lead", leads[3], OwnerId="S01", Status="Unqualified")
    with_tasks = {task["WhoId"] for task in server.objects["Task"].values()}
    server.delete("Lead", next(lead for lead in leads if lead in with_tasks))
    server.create(
        "Task",
        {
            "Id": "00TNEW0000001",
            "WhoId": leads[7],
            "OwnerId": "S02",
            "Type": "Call",
            "TaskSubtype": "Call",
            "Status": "Completed",
            "CompletedDateTime": "2015-10-15T15:00:00.000+0000",
        },
    )
    opportunity = sorted(server.objects["Opportunity"])[2]
    server.touch(
        "Opportunity",
        opportunity,
        StageName="Closed Lost",
        IsClosed=True,
        IsWon=False,
        Amount=4321.0,
    )


@pytest.mark.parametrize(
    "first_loader",
    # The first pull's load files: today's, or dlt's default (INSERT statements),
    # which pulls used before: a data folder they made carries on.
    [store.LOADER_FILE_FORMAT, "insert_values"],
    ids=["same-loader", "first-pulled-by-inserts"],
)
@pytest.mark.parametrize("system", ["hubspot", "salesforce"])
def test_a_nightly_pull_after_edits_and_deletions_equals_a_full_pull(
    system, first_loader, small_world, tmp_path
):
    export = _export(small_world, system, tmp_path / "export")
    server = FakeHubSpot(export) if system == "hubspot" else FakeSalesforce(export)
    nightly, full = tmp_path / "nightly", tmp_path / "full"
    seed_data_folder(nightly, system, export)
    seed_data_folder(full, system, export)
    with server:
        root = project(tmp_path / "project", system, server.url, nightly)
        with mock.patch.object(store, "LOADER_FILE_FORMAT", first_loader):
            assert pull(root, system).exit_code == 0
        first = record(nightly)
        (_edit_hubspot if system == "hubspot" else _edit_salesforce)(server)
        before = server.requests_to("/")
        result = pull(root, system)
        assert result.exit_code == 0, result.output
        incremental = record(nightly)
        nightly_requests = server.requests_to("/") - before
        refetched = pull(root, system, "--full", "--data", str(full))
        assert refetched.exit_code == 0, refetched.output
    assert incremental["mode"] == "incremental" and record(full)["mode"] == "full"
    assert sum(incremental["fetched"].values()) < sum(first["fetched"].values()) / 10
    assert nightly_requests == incremental["requests"] <= first["requests"]
    ours, theirs = tables(nightly), tables(full)
    assert sorted(ours) == sorted(theirs)
    for name in ours:
        assert ours[name] == theirs[name], name
    # Carried over: what the CRM does not hold stays in the folder.
    assert (nightly / "web_sessions.csv").is_file() and (nightly / "crm_source.yml").is_file()
    # The deleted record and what hung from it are gone; the new one is there.
    if system == "hubspot":
        gone = {r["id"] for r in server.records["contacts"].values() if r["archived"]}
        assert gone and not gone & {row[0] for row in ours["contact"]}
        assert "9999001" in {row[0] for row in ours["engagement"]}
    else:
        gone = {i for i, r in server.objects["Lead"].items() if r["IsDeleted"]}
        assert gone and not gone & {row[0] for row in ours["lead"]}
        assert not [row for row in ours["task"] if gone & set(row)]
        assert "00TNEW0000001" in {row[0] for row in ours["task"]}
    history = "contact_property_history" if system == "hubspot" else "lead_history"
    owners = [row for row in ours[history] if "S01" in row]
    assert owners, "the new owner is in the owner history"
    print(
        f"{system}: nightly pull fetched {sum(incremental['fetched'].values())} records in "
        f"{incremental['requests']} requests ({incremental['seconds']} s); the first pull "
        f"{sum(first['fetched'].values())} in {first['requests']}"
    )


def test_a_nightly_pull_reads_a_long_search_in_slices(small_world, tmp_path, monkeypatch):
    """HubSpot's search API stops at 10,000 results: longer lists are read in slices,
    and more records than a slice modified in one millisecond are read by id."""
    import generator.inputs.pull.hubspot

    export = _export(small_world, "hubspot", tmp_path / "export")
    nightly, full = tmp_path / "nightly", tmp_path / "full"
    seed_data_folder(nightly, "hubspot", export)
    seed_data_folder(full, "hubspot", export)
    with FakeHubSpot(export) as server:
        root = project(
            tmp_path / "project", "hubspot", server.url, nightly, hubspot={"search_page_size": 50}
        )
        assert pull(root, "hubspot").exit_code == 0
        for contact in sorted(server.records["contacts"])[:420]:
            server.touch("contacts", contact, hs_lead_status="IN_PROGRESS")
        server.search_cap = 200
        monkeypatch.setattr(generator.inputs.pull.hubspot, "SEARCH_LIMIT", 200)
        result = pull(root, "hubspot")
        assert result.exit_code == 0, result.output
        assert server.requests_to("/contacts/search") >= 9
        assert pull(root, "hubspot", "--full", "--data", str(full)).exit_code == 0
    # The 420 edited contacts, and the one at the last pull's cursor (>= re-reads it).
    assert record(nightly)["fetched"]["contacts"] == 421
    assert tables(nightly)["contact"] == tables(full)["contact"]


def test_since_rereads_from_a_day_and_excludes_full(good_pulls, tmp_path):
    export, good = good_pulls["salesforce"]
    data = tmp_path / "data"
    shutil.copytree(good, data)
    with FakeSalesforce(export) as server:
        root = project(tmp_path / "project", "salesforce", server.url, data)
        both = pull(root, "salesforce", "--since", "2015-09-01", "--full")
        assert both.exit_code == 3 and "exclude each other" in both.output
        assert pull(root, "salesforce", "--since", "2015-9-1").exit_code == 3
        result = pull(root, "salesforce", "--since", "2015-09-01")
    assert result.exit_code == 0, result.output
    assert record(data)["mode"] == "since 2015-09-01"
    leads = record(data)["fetched"]["lead"]
    assert 0 < leads < len(tables(data)["lead"])
    assert tables(data) == tables(good)


# -- faults: a clear message, the right exit code, nothing lost -----------------------------


@pytest.fixture(scope="module")
def good_pulls(small_world, tmp_path_factory):
    """Return, per system, an export and a data folder after one good pull."""
    found = {}
    for system in ("hubspot", "salesforce"):
        root = tmp_path_factory.mktemp(f"good-{system}")
        export = _export(small_world, system, root / "export")
        data = root / "data"
        seed_data_folder(data, system, export)
        server = FakeHubSpot(export) if system == "hubspot" else FakeSalesforce(export)
        with server:
            assert pull(project(root / "project", system, server.url, data), system).exit_code == 0
        found[system] = (export, data)
    return found


def _fails(
    good_pulls,
    tmp_path,
    system,
    *,
    server_options=None,
    faults=(),
    env=None,
    pull_settings=None,
    edit=None,
):
    """Pull into a copy of a good data folder; return the result and whether it is intact."""
    export, good = good_pulls[system]
    data = tmp_path / "data"
    shutil.copytree(good, data)
    before = fingerprint(data)
    server_class = FakeHubSpot if system == "hubspot" else FakeSalesforce
    server = server_class(export, **(server_options or {}))
    server.faults = list(faults)
    if edit:
        edit(server)
    with server:
        root = project(tmp_path / "project", system, server.url, data, **(pull_settings or {}))
        result = pull(root, system, env=env)
    assert fingerprint(data) == before, "the last good data folder is untouched"
    assert not [p for p in tmp_path.iterdir() if ".pulling-" in p.name], "no work left over"
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("system", ["hubspot", "salesforce"])
def test_a_rejected_token_is_exit_3_and_never_printed(system, good_pulls, tmp_path):
    wrong = "tok-WRONG-5e2b9c"
    name = "HUBSPOT_ACCESS_TOKEN" if system == "hubspot" else "SALESFORCE_ACCESS_TOKEN"
    result = _fails(good_pulls, tmp_path, system, env={name: wrong})
    assert result.exit_code == 3, result.output
    assert "token rejected" in result.output and name in result.output
    assert wrong not in result.output and TOKEN not in result.output


def test_no_token_is_exit_3_naming_the_variable(good_pulls, tmp_path):
    result = _fails(good_pulls, tmp_path, "hubspot", env={"HUBSPOT_ACCESS_TOKEN": ""})
    assert result.exit_code == 3
    assert "HUBSPOT_ACCESS_TOKEN" in result.output and "repository secret" in result.output


@pytest.mark.parametrize("system", ["hubspot", "salesforce"])
def test_a_server_that_keeps_failing_is_exit_7(system, good_pulls, tmp_path):
    path = "/crm/v3/objects/calls" if system == "hubspot" else "/jobs/query"
    result = _fails(good_pulls, tmp_path, system, faults=[Fault(path, 503, times=99)])
    assert result.exit_code == 7, result.output
    assert "503 3 times" in result.output and "nothing was replaced" in result.output


def test_timeouts_are_retried_then_exit_7(good_pulls, tmp_path):
    result = _fails(
        good_pulls, tmp_path, "hubspot", faults=[Fault("/crm/v3/owners", delay=3, times=3)]
    )
    assert result.exit_code == 7, result.output
    assert "no answer from" in result.output and "within 2 s, 3 times" in result.output


def test_the_daily_quota_stops_at_once(good_pulls, tmp_path):
    result = _fails(good_pulls, tmp_path, "hubspot", server_options={"daily_limit": 20})
    assert result.exit_code == 7, result.output
    assert "daily API quota is used up (limit 20 requests a day)" in result.output


def test_the_ten_second_window_is_waited_out_not_hammered(small_world, tmp_path):
    export = _export(small_world, "hubspot", tmp_path / "export")
    data = tmp_path / "data"
    seed_data_folder(data, "hubspot", export)
    # 6 requests in 0.6 s: a window fills at up to 100 ms a request, so even
    # a loaded machine uses several up (12 in 0.4 s needed 33 ms, and a slow
    # CI machine filled only 3 of the 5 that a fast one fills).
    with FakeHubSpot(export, window_max=6, window_ms=600) as server:
        result = pull(project(tmp_path / "project", "hubspot", server.url, data), "hubspot")
    assert result.exit_code == 0, result.output
    # Every window used up was waited out, as the server counted them; HubSpot
    # never had to answer 429.
    assert server.windows_used_up > 3
    assert record(data)["retries"] == server.windows_used_up
    assert server.throttled == 0


@pytest.mark.parametrize("system", ["hubspot", "salesforce"])
def test_a_retired_api_version_is_exit_3_naming_the_setting(system, good_pulls, tmp_path):
    if system == "hubspot":
        result = _fails(
            good_pulls, tmp_path, system, edit=lambda server: setattr(server, "retired", True)
        )
        assert "upgrade" in result.output
    else:
        result = _fails(
            good_pulls, tmp_path, system, pull_settings={"salesforce": {"api_version": "20.0"}}
        )
        assert "pull.salesforce.api_version" in result.output and "20.0" in result.output
    assert result.exit_code == 3, result.output
    assert "retired (410 Gone)" in result.output


def test_a_failed_bulk_job_is_exit_7(good_pulls, tmp_path):
    def fail_jobs(server):
        def job(job_id, results, query):
            return Answer(
                200,
                {"id": job_id, "state": "Failed", "errorMessage": "INVALID_FIELD: No such column"},
            )

        server._job = job

    result = _fails(good_pulls, tmp_path, "salesforce", edit=fail_jobs)
    assert result.exit_code == 7, result.output
    assert "bulk query of Lead failed: INVALID_FIELD" in result.output


def test_a_bulk_job_that_never_ends_is_exit_7(good_pulls, tmp_path):
    def stall(server):
        server._job = lambda job_id, results, query: Answer(
            200, {"id": job_id, "state": "InProgress"}
        )

    result = _fails(
        good_pulls,
        tmp_path,
        "salesforce",
        edit=stall,
        pull_settings={"salesforce": {"max_job_seconds": 0.5}},
    )
    assert result.exit_code == 7, result.output
    assert "still InProgress after 0.5 s (pull.salesforce.max_job_seconds)" in result.output


def test_salesforce_client_credentials_and_a_wrong_secret(good_pulls, tmp_path):
    env = {
        "SALESFORCE_CLIENT_ID": "3MVG9-test-client",
        "SALESFORCE_CLIENT_SECRET": "wrong-secret-41",
    }
    result = _fails(good_pulls, tmp_path, "salesforce", env=env)
    assert result.exit_code == 3 and "token rejected" in result.output
    assert "wrong-secret-41" not in result.output
    export, good = good_pulls["salesforce"]
    data = tmp_path / "again"
    shutil.copytree(good, data)
    with FakeSalesforce(export) as server:
        root = project(tmp_path / "p2", "salesforce", server.url, data)
        result = pull(
            root, "salesforce", env={**env, "SALESFORCE_CLIENT_SECRET": "client-secret-9d2f"}
        )
        assert server.requests_to("/services/oauth2/token") == 1
    assert result.exit_code == 0, result.output


def test_a_swap_cut_short_is_finished_by_the_next_pull(good_pulls, tmp_path):
    from generator.inputs.pull.store import recover_swap

    _, good = good_pulls["hubspot"]
    data = tmp_path / "data"
    shutil.copytree(good, tmp_path / "data.previous")  # the machine died between renames
    recover_swap(data)
    assert fingerprint(data) == fingerprint(good)


def test_telemetry_is_off_by_dlts_config_file(good_pulls):
    from dlt.common.configuration.container import Container
    from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext
    from dlt.common.runtime import anon_tracker

    config = Container()[PluggableRunContext].context.runtime_config
    assert config.dlthub_telemetry is False
    assert anon_tracker._ANON_TRACKER_ENDPOINT is None
    text = (ROOT / "generator" / "inputs" / "pull" / ".dlt" / "config.toml").read_text()
    assert "dlthub_telemetry = false" in text


def test_bad_pull_settings_are_exit_3_with_a_suggestion(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(ROOT / "dbt_project.yml", root / "dbt_project.yml")
    cases = [
        ({"pull": {"data": "d", "hubspot": {"base_ur": "x"}}}, "did you mean base_url?"),
        ({"pull": {"data": "d", "hubspot": {"base_url": "http://api.example.com"}}}, "plain http"),
        ({"pull": {"hubspot": {}}}, "no data folder"),
        ({"pull": {"data": "d", "timeout_seconds": -1}}, "must be above 0"),
    ]
    for document, expected in cases:
        (root / "crm_source.yml").write_text(yaml.safe_dump(document), encoding="utf-8")
        result = pull(root, "hubspot")
        assert result.exit_code == 3 and expected in result.output, (document, result.output)


def test_the_commented_example_documents_the_pull_defaults(tmp_path):
    """crm_source.example.yml's pull section says what a pull does when a key is left out."""
    from generator.inputs.pull.settings import (
        HubSpotSettings,
        SalesforceSettings,
        load_pull_settings,
    )

    root = tmp_path / "project"
    root.mkdir()
    shutil.copy2(ROOT / "crm_source.example.yml", root / "crm_source.yml")
    for system in ("hubspot", "salesforce"):
        settings = load_pull_settings(root, system, environ=ENV)
        assert settings.data_dir == root / "crm-data"
        assert (settings.timeout_seconds, settings.max_attempts) == (60, 5)
    assert load_pull_settings(root, "hubspot", environ=ENV).hubspot == HubSpotSettings()
    pulled = load_pull_settings(root, "salesforce", environ=ENV).salesforce
    assert pulled == SalesforceSettings(
        base_url="https://MyDomainName.my.salesforce.com", org_fields=pulled.org_fields
    )
