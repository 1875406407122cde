"""Helpers for the browser tests (issue #12): Debian's chromium driven by Playwright.

`playwright install` downloads a browser build, which a machine that reaches
only the package registries cannot do, so the tests launch the chromium that
scripts/install-chromium puts at /usr/bin/chromium (`make test` runs it).
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path(os.environ.get("SLA_REPORT_CHROMIUM", "/usr/bin/chromium"))

# Flags for a browser that must not reach anything: without the background
# networking switches chromium calls home at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve folder on 127.0.0.1 on a free port; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def site_pages(site: Path) -> list[str]:
    """Return every HTML page of a built site, as paths relative to its root."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def is_local(url: str) -> bool:
    """Return whether a request stays on this machine's loopback or the site folder."""
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about"):
        return True
    return parts.scheme in ("http", "https") and parts.hostname == "127.0.0.1"


@dataclass
class PageLog:
    """What one page load did that a reader would notice, or that leaves the machine."""

    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Return every problem seen, one line each."""
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"failed request: {m}" for m in self.failed_requests]
            + [f"request leaves 127.0.0.1: {m}" for m in self.outside_requests]
        )

    def clear(self) -> None:
        """Forget what the last load did, before the next one in the same tab."""
        self.console_errors.clear()
        self.failed_requests.clear()
        self.outside_requests.clear()


def watch(page) -> PageLog:
    """Record console errors, failed requests and non-local requests of a Playwright page."""
    log = PageLog()
    page.on("console", lambda m: m.type == "error" and log.console_errors.append(m.text))
    page.on("pageerror", lambda error: log.console_errors.append(str(error)))
    page.on("requestfailed", lambda r: log.failed_requests.append(f"{r.url} ({r.failure})"))
    page.on(
        "response",
        lambda r: r.status >= 400 and log.failed_requests.append(f"{r.url} (HTTP {r.status})"),
    )

    def guard(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            log.outside_requests.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    return log


class Tab:
    """One watched tab of a browser context that loads page after page.

    Each load is a new document, and the log keeps that load's problems only.
    The tests load every page in one tab rather than a new tab each: a new
    tab cost Chromium more than twice the CPU (the demo's 24 pages took 60
    CPU seconds in new tabs, 25 in one; issue #22), for the same checks.
    """

    def __init__(self, context) -> None:
        self.page = context.new_page()
        self.log = watch(self.page)

    def open(self, url: str):
        """Load url and wait for the network to settle; return the page and this load's log."""
        self.log.clear()
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        return self.page, self.log
