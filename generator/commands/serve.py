"""Live preview: build, serve on 127.0.0.1, rebuild on save, reload the open page.

The server injects a small script into every HTML page it serves (never into
the built files): it polls `/__sla-report/status` once a second and reloads
the page when a build finishes. When a build fails, every page shows the
error (message, file, line) above the last good site, which stays browsable;
the next good build clears it. Nothing is fetched from the network.
"""

from __future__ import annotations

import html
import http.server
import json
import logging
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from generator.settings.build_config import BuildConfig

log = logging.getLogger(__name__)

STATUS_PATH = "/__sla-report/status"
SCRIPT_PATH = "/__sla-report/reload.js"
POLL_SECONDS = 0.5
QUIET_SECONDS = 0.3  # an editor's save can touch a file more than once
WATCHED_FOLDERS = ("models", "macros", "seeds", "data-tests", "site")
WATCHED_FILES = ("mkdocs.yml", "dbt_project.yml", "profiles.yml", "sla-report.yml")
_LOCATION = re.compile(
    r"((?:[\w.-]+/)*[\w.-]+\.(?:sql|yml|yaml|md|csv|j2|html|parquet))"
    r"(?::(\d+))?"
)

RELOAD_SCRIPT = """\
// sla-report serve: reload this page when a new build has finished.
(function () {
  var seen = document.currentScript.getAttribute("data-build");
  function poll() {
    fetch("STATUS_PATH", {cache: "no-store"})
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (String(status.build_id) !== seen && status.state !== "building") {
          window.location.reload();
        }
      })
      .catch(function () { /* server restarting: try again */ })
      .finally(function () { setTimeout(poll, 1000); });
  }
  setTimeout(poll, 1000);
})();
""".replace("STATUS_PATH", STATUS_PATH)


@dataclass(frozen=True)
class BuildFailure:
    """A failed build as the browser shows it."""

    message: str
    file: str | None
    line: int | None

    def as_dict(self) -> dict:
        """Return the failure as JSON-ready data."""
        return {"message": self.message, "file": self.file, "line": self.line}


def locate(message: str, project_dir: Path) -> tuple[str | None, int | None]:
    """Return the project file (and line) an error message names, if any."""
    for match in _LOCATION.finditer(message):
        path = match.group(1)
        if (project_dir / path).exists():
            return path, int(match.group(2)) if match.group(2) else None
    for match in _LOCATION.finditer(message):  # a file that is gone, or a template
        return match.group(1), int(match.group(2)) if match.group(2) else None
    return None, None


def watched_files(config: BuildConfig) -> dict[str, tuple[int, int]]:
    """Return path -> (mtime, size) of every file a build reads."""
    from generator.site.render import TEMPLATES_DIR

    roots = [config.project_dir / name for name in WATCHED_FOLDERS]
    roots.append(TEMPLATES_DIR)
    if config.data_dir is not None:
        roots.append(config.data_dir)
    files = [config.project_dir / name for name in WATCHED_FILES]
    for root in roots:
        if root.is_dir():
            files.extend(root.rglob("*"))
    stamps: dict[str, tuple[int, int]] = {}
    for path in files:
        name = path.name
        if name.startswith((".", "#")) or name.endswith(("~", ".swp", ".tmp")):
            continue  # editors' scratch files
        try:
            stat = path.stat()
        except OSError:
            continue
        if path.is_file():
            stamps[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return stamps


class Preview:
    """One live preview session: a builder loop and a local HTTP server."""

    def __init__(
        self,
        make_config: Callable[[], BuildConfig],
        port: int,
        full: bool = False,
        watch: bool = True,
        report: Callable[[str], None] = click.echo,
    ) -> None:
        self.make_config = make_config
        self.config = make_config()
        self.port = port
        self.full = full
        self.watch = watch
        self.report = report
        self.build_id = 0
        self.state = "building" if watch else "ok"
        self.failure: BuildFailure | None = None
        self.lock = threading.Lock()
        self.server: http.server.ThreadingHTTPServer | None = None

    # -- building -------------------------------------------------------------

    def rebuild(self, full: bool = False) -> None:
        """Build once; record success or the failure the browser will show."""
        from generator.commands.build import build_report
        from generator.exceptions import SlaReportError

        with self.lock:
            self.state = "building"
        failure = None
        try:
            self.config = self.make_config()
            summary = build_report(self.config, full=full, report=self.report)
            self.report(f"Built in {summary.total_seconds:.1f} s; the open page reloads.")
        except SlaReportError as error:
            failure = error.format_message()
        except Exception as error:  # keep serving whatever breaks; say what it was
            log.debug("internal error", exc_info=True)
            failure = f"internal error: {type(error).__name__}: {error}"
        with self.lock:
            if failure is None:
                self.failure = None
                self.state = "ok"
            else:
                file, line = locate(failure, self.config.project_dir)
                self.failure = BuildFailure(failure, file, line)
                self.state = "error"
                self.report(f"Build failed (the last good site is still served):\n{failure}")
            self.build_id += 1

    def status(self) -> dict:
        """Return the state the page's script polls."""
        with self.lock:
            return {
                "build_id": self.build_id,
                "state": self.state,
                "error": self.failure.as_dict() if self.failure else None,
            }

    def run(self) -> None:
        """Serve until Ctrl-C; with watch, build first and then on every change."""
        from generator.exceptions import ConfigError

        try:
            self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        except OSError as error:
            raise ConfigError(
                f"cannot serve on 127.0.0.1:{self.port} ({error.strerror}); try another --port"
            ) from error
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.report(
            f"Serving {self.config.out_dir} on {url}"
            + (" (rebuilds on save; Ctrl-C stops)" if self.watch else "")
        )
        try:
            if not self.watch:
                thread.join()
                return
            stamps = watched_files(self.config)
            self.rebuild(full=self.full)
            while True:
                time.sleep(POLL_SECONDS)
                current = watched_files(self.config)
                if current == stamps:
                    continue
                while True:  # wait until the saves have settled
                    time.sleep(QUIET_SECONDS)
                    settled = watched_files(self.config)
                    if settled == current:
                        break
                    current = settled
                changed = sorted(set(current.items()) ^ set(stamps.items()))
                names = sorted({Path(path).name for path, _ in changed})
                self.report(f"Changed: {', '.join(names)}")
                stamps = current
                self.rebuild()
        except KeyboardInterrupt:
            pass
        finally:
            self.server.shutdown()
            self.server.server_close()

    # -- serving --------------------------------------------------------------

    def _handler(self) -> type[http.server.SimpleHTTPRequestHandler]:
        preview = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(preview.config.out_dir), **kwargs)

            def log_message(self, format: str, *args) -> None:  # noqa: A002
                log.debug("serve: " + format, *args)

            def do_HEAD(self) -> None:  # noqa: N802 (http.server's name)
                if not self._refused():
                    super().do_HEAD()

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                if not self._refused():
                    self._get()

            def _refused(self) -> bool:
                """Answer 400 to a path no file can have (issue #24: `/%00` was a traceback)."""
                decoded = urllib.parse.unquote(self.path)
                if not any(ord(character) < 32 for character in decoded):
                    return False
                self.send_error(400, "Bad request: control character in the path")
                return True

            def _get(self) -> None:
                path = self.path.split("?", 1)[0].split("#", 1)[0]
                if path == STATUS_PATH:
                    self._send(json.dumps(preview.status()).encode(), "application/json")
                    return
                if path == SCRIPT_PATH:
                    self._send(RELOAD_SCRIPT.encode(), "text/javascript")
                    return
                file = Path(self.translate_path(path))
                if file.is_dir():
                    file = file / "index.html"
                if file.suffix == ".html" or not file.exists() and path in ("/", ""):
                    self._send(preview.page(file).encode(), "text/html; charset=utf-8")
                    return
                super().do_GET()

            def _send(self, body: bytes, content_type: str) -> None:
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", content_type)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def page(self, file: Path) -> str:
        """Return an HTML page with the reload script (and the error, if the last build failed)."""
        status = self.status()
        try:
            document = file.read_text(encoding="utf-8")
        except OSError:
            state = "Building the site..." if status["state"] == "building" else "No page here."
            document = (
                f"<!doctype html><html><head><meta charset='utf-8'><title>SLA Report"
                f"</title></head><body><p>{state}</p></body></html>"
            )
        script = f'<script src="{SCRIPT_PATH}" data-build="{status["build_id"]}"></script>'
        panel = _error_panel(status["error"]) if status["error"] else ""
        document = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + panel, document, count=1)
        if "</body>" in document:
            return document.replace("</body>", script + "</body>", 1)
        return document + script


def _error_panel(error: dict) -> str:
    """Return the banner that shows a failed build above the last good site."""
    where = ""
    if error["file"]:
        where = html.escape(error["file"]) + (f", line {error['line']}" if error["line"] else "")
        where = f"<p style='margin:0 0 .5em'><strong>File:</strong> <code>{where}</code></p>"
    return (
        "<div id='sla-report-build-error' role='alert' style='position:relative;z-index:1000;"
        "background:#fff0f0;color:#5f0000;border-bottom:3px solid #c00;padding:1em 1.5em;"
        "font:14px/1.4 system-ui,sans-serif'>"
        "<p style='margin:0 0 .5em;font-size:16px'><strong>The last change broke the build."
        "</strong> The last good site is shown below; fix the file and save: this page "
        "reloads by itself.</p>"
        + where
        + "<pre style='white-space:pre-wrap;margin:0;font-size:13px'>"
        + html.escape(error["message"])
        + "</pre></div>"
    )
