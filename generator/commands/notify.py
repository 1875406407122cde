"""`sla-report notify`: post the night's news from summary.json to a chat's incoming webhook.

The news is what the build already wrote into summary.json (issue #20):
status changes since the previous published build, commitments that fell
behind pace, new hand-off breaches and MQLs due today per rep (counts, never
lead data), and on Mondays the weekly digest. Each night's summary compares
with the one published the night before, so the same alert is not posted
twice. The webhook's address is a secret: it comes from an environment
variable and is printed nowhere. A webhook that fails is reported with its
own exit code; it never touches the build or the published site.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

from generator.exceptions import ConfigError, NotifyError
from generator.privacy import mask_emails

FORMATS = ("slack", "teams", "google-chat")
DEFAULT_WEBHOOK_VARIABLE = "SLA_REPORT_WEBHOOK_URL"
TIMEOUT_SECONDS = 10.0
ATTEMPTS = 3
MAX_RETRY_AFTER_SECONDS = 30.0


@dataclass(frozen=True)
class Section:
    """One block of the message: a heading and its lines (plain text)."""

    heading: str
    lines: list[str]


@dataclass(frozen=True)
class Message:
    """What one night's notice says, before a chat's format is applied."""

    title: str
    summary: str
    sections: list[Section] = field(default_factory=list)
    link: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.sections


# -- what to say ------------------------------------------------------------------


def read_summary(path: Path) -> dict:
    """Return a built site's summary.json, or a ConfigError naming the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no summary.json; build the site first (sla-report build), or pass --summary"
        ) from None
    except (OSError, ValueError) as error:
        raise ConfigError(f"{path}: cannot be read as a summary ({error})") from error


def compose(summary: dict, site_url: str | None = None, digest: bool | None = None) -> Message:
    """Return the message for a summary: its alerts, section by section.

    The weekly digest (the team verdicts and each KPI week over week) comes
    on Monday mornings: when the summary is as of a Sunday, or `digest` says
    so. Every line comes from the summary, which the build wrote from the
    report models; nothing here counts or compares.
    """
    alerts = summary.get("alerts") or {}
    sections = []
    for key, heading in (
        ("fell_behind", "Fell behind pace"),
        ("status_changes", "Status changed"),
        ("new_breaches", "New hand-off breaches"),
        ("due_today", "Due by the end of the next business day"),
        ("target_changes", "Targets changed"),
    ):
        lines = [str(item.get("text", "")) for item in alerts.get(key) or [] if item.get("text")]
        if lines:
            sections.append(Section(heading, lines))
    if digest is None:
        digest = _is_sunday(summary.get("as_of"))
    if digest and summary.get("weekly_digest"):
        sections.append(
            Section("Weekly review", [str(item["text"]) for item in summary["weekly_digest"]])
        )
    link = (site_url.rstrip("/") + "/") if site_url else None
    return Message(
        title=str(summary.get("agreement_title", "SLA report")),
        summary=str(summary.get("headline", "")),
        sections=sections,
        link=link,
    )


def _is_sunday(as_of: object) -> bool:
    """Return whether the data is as of a Sunday: the build read on Monday morning."""
    try:
        return date.fromisoformat(str(as_of)).isoweekday() == 7
    except ValueError:
        return False


# -- how each chat wants it -------------------------------------------------------


def _slack_text(text: str) -> str:
    # Slack's mrkdwn reads &, < and > as control characters.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(message: Message) -> dict:
    """Return a Slack incoming-webhook payload: Block Kit blocks and a plain fallback."""
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _slack_text(message.summary)}},
    ]
    for section in message.sections:
        body = "\n".join(f"• {_slack_text(line)}" for line in section.lines)
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{_slack_text(section.heading)}*\n{body}"[:3000],
                },
            }
        )
    if message.link:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"<{message.link}|Open the SLA report>"}],
            }
        )
    return {"text": f"{message.title}: {message.summary}", "blocks": blocks}


def teams_payload(message: Message) -> dict:
    """Return a Teams workflow webhook payload: one Adaptive Card in a message."""
    body: list[dict] = [
        {
            "type": "TextBlock",
            "text": message.title,
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
        },
        {"type": "TextBlock", "text": message.summary, "wrap": True},
    ]
    for section in message.sections:
        body.append(
            {
                "type": "TextBlock",
                "text": section.heading,
                "weight": "Bolder",
                "wrap": True,
                "spacing": "Medium",
            }
        )
        body += [
            {"type": "TextBlock", "text": f"- {line}", "wrap": True, "spacing": "None"}
            for line in section.lines
        ]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if message.link:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": "Open the SLA report", "url": message.link}
        ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def google_chat_payload(message: Message) -> dict:
    """Return a Google Chat webhook payload: formatted text (*bold*, <url|label>)."""
    parts = [f"*{message.title}*", message.summary]
    for section in message.sections:
        parts.append(f"*{section.heading}*\n" + "\n".join(f"• {line}" for line in section.lines))
    if message.link:
        parts.append(f"<{message.link}|Open the SLA report>")
    return {"text": "\n\n".join(parts)}


PAYLOADS: dict[str, Callable[[Message], dict]] = {
    "slack": slack_payload,
    "teams": teams_payload,
    "google-chat": google_chat_payload,
}


def payload(message: Message, chat: str) -> dict:
    """Return the JSON payload of the message for one chat, e-mail addresses masked."""
    return json.loads(mask_emails(json.dumps(PAYLOADS[chat](message), ensure_ascii=False)))


def chat_of(url: str) -> str | None:
    """Return the chat a webhook address belongs to, from its host; None if unknown."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "hooks.slack.com":
        return "slack"
    if host == "chat.googleapis.com":
        return "google-chat"
    if host.endswith(
        (
            ".webhook.office.com",
            ".logic.azure.com",
            ".powerautomate.com",
            ".environment.api.powerplatform.com",
        )
    ):
        return "teams"
    return None


def webhook_chat(url: str, variable: str, required: bool = True) -> str:
    """Return the chat of the webhook in `variable`; check the address without printing it.

    Plain http is accepted only on this machine (a test receiver).
    """
    if not url:
        if not required:
            return "slack"
        raise ConfigError(
            f"{variable} is not set: put the chat's incoming-webhook address in "
            "it (a repository secret in CI), or use --dry-run"
        )
    parts = urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise ConfigError(
            f"{variable} is not an https:// address; a webhook address "
            "carries its own secret and must not travel in the clear"
        )
    return chat_of(url) or "slack"


# -- posting ----------------------------------------------------------------------


def _retry_after(error: urllib.error.HTTPError) -> float:
    value = error.headers.get("Retry-After", "") if error.headers else ""
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            seconds = 1.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


def post(
    url: str,
    body: dict,
    *,
    timeout: float = TIMEOUT_SECONDS,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """POST the payload; retry a 429 or 5xx (after Retry-After) and a timeout.

    Returns the HTTP status of the accepted attempt. Raises NotifyError with a
    message that names the status but never the address (it is a secret).
    """
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    problem = ""
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "sla-report-notify",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            problem = f"HTTP {error.code}"
            if error.code != 429 and error.code < 500:
                break  # a 4xx other than 429 will not get better by asking again
            wait = _retry_after(error)
        except (TimeoutError, urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            problem = (
                "timed out"
                if isinstance(reason, TimeoutError) or "timed out" in str(reason)
                else "connection failed"
            )
            wait = 1.0
        if attempt < attempts:
            sleep(wait * attempt)
    raise NotifyError(
        f"the webhook did not take the notice ({problem} after "
        f"{attempt} attempt{'s' if attempt > 1 else ''}); the site is "
        "published as built"
    )
