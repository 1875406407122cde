"""Shared fixtures: one demo build per session, plus helpers to read the built HTML."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.commands.build import BuildSummary, build_report
from generator.commands.configure import make_config
from generator.settings.build_config import BuildConfig

ROOT = Path(__file__).resolve().parent.parent
DEMO_RAW = ROOT / "seeds" / "raw"
REFERENCE = ROOT / "seeds" / "reference"


SECRET = "pw-marker-7f3c9e1a"
# The day the CRM exports of the demo are built as of (tests/crm_exports.py).
EXPORT_AS_OF = date(2015, 10, 15)


# A build's progress line in a log: "dbt: 245/245 nodes (...), 12.3 s" (issue #8).
PROGRESS_LINE = re.compile(r"^[A-Za-z][A-Za-z ]*: (.*, )?\d+\.\d s$")


def without_progress(output: str) -> str:
    """Return a command's output without the build's per-stage progress lines."""
    return "\n".join(line for line in output.splitlines() if not PROGRESS_LINE.match(line))


@contextmanager
def staging_kept_in(database: Path) -> Iterator[Path]:
    """Keep a build's staging and intermediate tables in a file, to look at them.

    They live in memory during a build (dbt_project.yml, issue #8); the
    profile's SLA_REPORT_DUCKDB_SCRATCH puts them in this file instead.
    """
    before = os.environ.get("SLA_REPORT_DUCKDB_SCRATCH")
    os.environ["SLA_REPORT_DUCKDB_SCRATCH"] = str(database)
    try:
        yield database
    finally:
        if before is None:
            del os.environ["SLA_REPORT_DUCKDB_SCRATCH"]
        else:
            os.environ["SLA_REPORT_DUCKDB_SCRATCH"] = before


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> tuple[BuildConfig, BuildSummary]:
    """Build the demo report once (demo seeds, as of 2015-10-15) into a temp folder.

    A warehouse password is set in the environment, as CI would set it from
    a secret, so the privacy tests can prove it is written nowhere.
    """
    import os

    os.environ["DBT_ENV_SECRET_PG_PASSWORD"] = SECRET
    out = tmp_path_factory.mktemp("demo") / "site"
    # With the dbt unit tests: make test runs them once, here (site builds skip them).
    config = make_config(out=str(out), unit_tests=True)
    return config, build_report(config)


@pytest.fixture(scope="session")
def demo_site(demo_build) -> Path:
    """Return the folder of the built demo site."""
    return demo_build[1].out_dir


@pytest.fixture(scope="session")
def export_build(tmp_path_factory):
    """Return a function that builds the site of a CRM export once per session.

    export_build("hubspot") -> (name, export folder, site folder, (the KPIs
    tests/independent.py computes from the contract tables the export
    means, and its details: the overdue MQLs per owner at MQL time)). The
    source-build tests and the pull tests (a pull must build the same site
    as the files) share these builds.
    """
    from click.testing import CliRunner

    from generator.cli import cli
    from tests.crm_exports import EXPORTS, contract_files
    from tests.independent import compute

    built: dict[str, tuple] = {}

    def build(name: str) -> tuple:
        if name not in built:
            source, settings, write = EXPORTS[name]
            root = tmp_path_factory.mktemp(name)
            export = root / "export"
            export.mkdir()
            meant = write(DEMO_RAW, export)
            (export / "crm_source.yml").write_text(settings, encoding="utf-8")
            details: dict = {}
            expected = compute(contract_files(meant, root / "meant"), REFERENCE, EXPORT_AS_OF,
                               details)
            out = root / "site"
            # The HubSpot build runs the dbt unit tests too: the HubSpot staging
            # models' own (a deal with two contacts, issue #19) run only when
            # HubSpot is the source.
            unit_tests = ["--unit-tests"] if source == "hubspot" else []
            result = CliRunner().invoke(cli, [
                "build", "--source", source, "--data", str(export),
                "--as-of", EXPORT_AS_OF.isoformat(), "--out", str(out), *unit_tests])
            assert result.exit_code == 0, result.output
            built[name] = (name, export, out, (expected, details))
        return built[name]

    return build


def copy_project(target: Path) -> Path:
    """Copy the parts of the project a build reads into target; return it."""
    for name in ("models", "macros", "seeds", "data-tests", "site"):
        shutil.copytree(ROOT / name, target / name)
    for name in ("dbt_project.yml", "profiles.yml", "mkdocs.yml", "sla-report.yml"):
        shutil.copy2(ROOT / name, target / name)
    return target


class TableParser(HTMLParser):
    """Collect every table of an HTML page as rows of (text, first link href)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[tuple[str, str | None]]]] = []
        self._cell: list[str] | None = None
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell, self._href = [], None
        elif tag == "a" and self._cell is not None and self._href is None:
            self._href = dict(attrs).get("href")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append((" ".join("".join(self._cell).split()), self._href))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(path: Path) -> list[list[list[tuple[str, str | None]]]]:
    """Return the tables of an HTML file."""
    parser = TableParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tables


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(path: Path, separator: str = "") -> str:
    """Return the visible text of an HTML page, whitespace folded.

    `separator` goes between text nodes: " " keeps words in neighbouring
    elements apart (a phrase check must not join "behind" and "pace").
    """
    parser = _TextParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(separator.join(parser.parts).split())


# -- browser tests (issue #12) -------------------------------------------------

@pytest.fixture(scope="session")
def chromium():
    """Return a headless Debian chromium driven by Playwright, shared by the session.

    `make test` installs it (scripts/install-chromium). Run without it
    (plain pytest on a machine without chromium), the browser tests are
    skipped, except in CI (CI=true), where a missing browser is a failure.
    """
    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.is_file():
        message = (f"{CHROMIUM} is missing: run scripts/install-chromium "
                   "(make test does) or set SLA_REPORT_CHROMIUM")
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site_url(demo_site):
    """Serve the demo site over HTTP on 127.0.0.1; return its base URL."""
    from tests.browser import serve

    with serve(demo_site) as url:
        yield url
