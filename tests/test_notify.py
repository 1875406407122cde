"""`sla-report notify` (issue #20): the night's news to a chat webhook, tested against a
receiver on 127.0.0.1 that records every request and can fail or stall on purpose."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.commands.notify import chat_of
from tests.conftest import copy_work_folder

SITE_URL = "https://example.github.io/sla/"


@dataclass
class Receiver:
    """What the webhook was sent, and how it answers the next requests."""

    url: str = ""
    requests: list[dict] = field(default_factory=list)
    answers: list[tuple[int, dict]] = field(default_factory=list)  # status, headers
    stall_seconds: float = 0.0


@contextmanager
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append(
                {
                    "path": self.path,
                    "body": json.loads(body),
                    "content_type": self.headers["Content-Type"],
                }
            )
            if state.stall_seconds:
                time.sleep(state.stall_seconds)
            status, headers = state.answers.pop(0) if state.answers else (200, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            try:
                self.wfile.write(b"ok")
            except BrokenPipeError:
                pass  # the client gave up waiting: the timeout under test

        def log_message(self, format, *args):  # noqa: A002 - the base class's name
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/T000/B000/secret-token-123"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _summary(tmp_path, alerts: dict) -> str:
    path = tmp_path / "summary.json"
    path.write_text(
        json.dumps(
            {
                "agreement_title": "Sales & Marketing SLA: H2",
                "headline": "Day 107 of 184.",
                "alerts": alerts,
            }
        )
    )
    return str(path)


NEWS = {
    "status_changes": [{"text": "Win rate: At risk → On track"}],
    "fell_behind": [{"text": "Pipeline: On track → Behind"}],
}


def _notify(summary, url, *extra, env="SLA_REPORT_WEBHOOK_URL"):
    return CliRunner().invoke(
        cli,
        ["notify", "--summary", summary, "--site-url", SITE_URL, "--timeout", "1", *extra],
        env={env: url},
    )


@pytest.mark.parametrize("chat", ["slack", "teams", "google-chat"])
def test_each_chat_gets_its_own_format(tmp_path, chat):
    with receiver() as hook:
        result = _notify(_summary(tmp_path, NEWS), hook.url, "--format", chat)
    assert result.exit_code == 0, result.output
    assert len(hook.requests) == 1
    body = hook.requests[0]["body"]
    assert hook.requests[0]["content_type"].startswith("application/json")
    text = json.dumps(body, ensure_ascii=False)
    assert "Pipeline: On track → Behind" in text and "Win rate" in text and SITE_URL in text
    if chat == "slack":
        assert body["blocks"][0]["type"] == "header" and body["text"]
    elif chat == "teams":
        card = body["attachments"][0]
        assert body["type"] == "message"
        assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert card["content"]["type"] == "AdaptiveCard"
        assert card["content"]["actions"][0]["url"] == SITE_URL
    else:
        assert set(body) == {"text"} and f"<{SITE_URL}|" in body["text"]


def test_the_chat_follows_from_the_webhook_address():
    assert chat_of("https://hooks.slack.com/services/T/B/x") == "slack"
    assert chat_of("https://acme.webhook.office.com/webhookb2/x") == "teams"
    assert chat_of("https://prod-1.westus.logic.azure.com/workflows/x") == "teams"
    assert chat_of("https://chat.googleapis.com/v1/spaces/x/messages?key=k") == "google-chat"
    assert chat_of("https://example.com/hook") is None


def test_nothing_new_posts_nothing(tmp_path):
    with receiver() as hook:
        result = _notify(_summary(tmp_path, {"status_changes": [], "fell_behind": []}), hook.url)
    assert result.exit_code == 0 and hook.requests == []
    assert "Nothing new to post" in result.output


def test_a_500_is_tried_again_and_then_accepted(tmp_path):
    with receiver() as hook:
        hook.answers = [(500, {}), (429, {"Retry-After": "0"})]
        result = _notify(_summary(tmp_path, NEWS), hook.url)
    assert result.exit_code == 0, result.output
    assert len(hook.requests) == 3 and hook.requests[0]["body"] == hook.requests[2]["body"]


def test_a_webhook_that_keeps_failing_exits_7_and_never_prints_its_address(tmp_path):
    with receiver() as hook:
        hook.answers = [(500, {})] * 3
        result = _notify(_summary(tmp_path, NEWS), hook.url)
    assert result.exit_code == 7, result.output
    assert "HTTP 500 after 3 attempts" in result.output
    assert "secret-token-123" not in result.output and "hooks/T000" not in result.output


def test_a_rejected_notice_is_not_retried(tmp_path):
    with receiver() as hook:
        hook.answers = [(403, {})]
        result = _notify(_summary(tmp_path, NEWS), hook.url)
    assert result.exit_code == 7 and len(hook.requests) == 1
    assert "HTTP 403 after 1 attempt" in result.output


def test_a_stalled_webhook_times_out_and_exits_7(tmp_path):
    with receiver() as hook:
        hook.stall_seconds = 2.5
        result = _notify(_summary(tmp_path, NEWS), hook.url)
    assert result.exit_code == 7, result.output
    assert "timed out" in result.output and "secret-token-123" not in result.output


def test_dry_run_prints_the_payload_and_posts_nothing(tmp_path):
    with receiver() as hook:
        result = _notify(_summary(tmp_path, NEWS), hook.url, "--dry-run", "--format", "teams")
    assert result.exit_code == 0 and hook.requests == []
    assert json.loads(result.output)["type"] == "message"


def test_the_address_comes_only_from_the_environment(tmp_path):
    result = _notify(_summary(tmp_path, NEWS), "")
    assert result.exit_code == 3 and "SLA_REPORT_WEBHOOK_URL is not set" in result.output
    result = _notify(_summary(tmp_path, NEWS), "http://hooks.example.com/x")
    assert result.exit_code == 3 and "https://" in result.output
    assert "hooks.example.com" not in result.output


def test_no_lead_email_or_name_in_a_payload(tmp_path):
    """A KPI title or a reason carrying an address is masked before it is posted."""
    leaky = {"status_changes": [{"text": "Lost to j.doe@example.com: At risk → Behind"}]}
    with receiver() as hook:
        result = _notify(_summary(tmp_path, leaky), hook.url)
    assert result.exit_code == 0, result.output
    assert "j.doe@example.com" not in json.dumps(hook.requests[0]["body"])


def test_the_nightly_notifies_after_the_deploy_only_with_the_secret_and_never_fails_it():
    from tests.test_workflows import ROOT, load

    nightly = load(ROOT / ".github" / "workflows" / "nightly.yml")
    job = nightly["jobs"]["notify"]
    assert job["needs"] == "deploy" and job["continue-on-error"] is True
    assert job["env"]["SLA_REPORT_WEBHOOK_URL"] == "${{ secrets.SLA_REPORT_WEBHOOK_URL }}"
    assert all(step["if"] == "env.SLA_REPORT_WEBHOOK_URL != ''" for step in job["steps"])
    run = job["steps"][-1]["run"]
    assert run.startswith("make notify") and "secrets." not in run


def test_make_notify_announces_the_published_summary(tmp_path):
    import subprocess

    from tests.test_workflows import ROOT

    dry = subprocess.run(
        ["make", "-n", "notify", "PAGES_URL=https://example.github.io/sla"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert 'curl -fsS "https://example.github.io/sla/summary.json"' in dry
    assert "sla-report notify --summary build/notify/summary.json" in dry


def test_an_alert_is_posted_the_night_it_happens_and_not_again(tmp_path, plain_build):
    """The news compares with the summary published the night before: a status that
    changed and a rep's new breaches are posted once; the next night, with nothing new,
    they are not posted again (what falls due tomorrow is, each night it is true)."""
    out = tmp_path / "site"
    # A finished build's database: the first night's build re-renders the pages.
    copy_work_folder(plain_build, out)
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "--out", str(out)]).exit_code == 0
    published = json.loads((out / "summary.json").read_text())
    # Last night, as published: MQLs were behind and S08 had 3 fewer overdue MQLs.
    mqls = next(k for k in published["kpis"] if k["id"] == "mqls")
    mqls["status"] = "behind"
    rep = next(r for r in published["reps"] if r["rep_id"] == "S08")
    rep["overdue_untouched"] -= 3
    (out / "summary.json").write_text(json.dumps(published))
    posted = []
    for _night in range(2):
        assert runner.invoke(cli, ["build", "--out", str(out)]).exit_code == 0
        with receiver() as hook:
            result = _notify(str(out / "summary.json"), hook.url, "--no-digest")
        assert result.exit_code == 0, result.output
        posted.append(
            json.dumps(hook.requests[0]["body"], ensure_ascii=False) if hook.requests else ""
        )
    assert "MQLs delivered: Behind → On track" in posted[0]
    assert "Ines Brandt: 3 more MQLs past deadline untouched" in posted[0]
    assert "MQLs delivered: Behind" not in posted[1] and "more MQLs past" not in posted[1]
    assert "due by the end of the next business day" in posted[1]  # tomorrow's work
