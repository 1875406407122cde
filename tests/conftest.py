"""Shared fixtures: one demo build per session, plus helpers to read the built HTML.

`make test` runs the suite on several pytest-xdist workers (issue #22). The
session's builds (the demo, a plain copy of the project, each CRM export) are
made once per run, by whichever worker asks first, in a folder all workers
share (see `shared_once`); a test that needs a copy of a finished build gets
one with `copy_built_project` or `copy_work_folder` instead of building it
again.
"""

from __future__ import annotations

import fcntl
import functools
import os
import pickle
import re
import shutil
from collections.abc import Iterable
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.commands.build import BuildSummary, build_report
from generator.commands.configure import make_config
from generator.settings.build_config import BuildConfig

# --cpu-durations (make test prints the tests that used the most CPU).
pytest_plugins = ["tests.cpu_time"]

ROOT = Path(__file__).resolve().parent.parent
DEMO_RAW = ROOT / "seeds" / "raw"
REFERENCE = ROOT / "seeds" / "reference"


SECRET = "pw-marker-7f3c9e1a"
# How long a subprocess or local server that should take seconds (a Python
# start, a server coming up or going down) may take before a test calls it
# hung. A bound, not a speed check (benchmarks measure speed): generous,
# since on a loaded 2-core CI machine a cold `python -m pytest -n 2` has
# taken over 120 s.
HUNG_AFTER = 600

# The day the CRM exports of the demo are built as of (tests/crm_exports.py).
EXPORT_AS_OF = date(2015, 10, 15)


# A build's progress line in a log: "dbt: 245/245 nodes (...), 12.3 s" (issue #8).
PROGRESS_LINE = re.compile(r"^[A-Za-z][A-Za-z ]*: (.*, )?\d+\.\d s$")


class Needles:
    """Strings to look for in texts, all at once: which of them occur in a text?

    `Needles(values).found_in(text)` returns what `[v for v in values if v in
    text]` returns, in one pass over the text (an Aho-Corasick automaton), not
    one pass per value: the privacy tests look for thousands of values in
    megabytes of published files (issue #22).
    """

    def __init__(self, values: Iterable[str]) -> None:
        import ahocorasick

        self.values = list(values)
        self._automaton = ahocorasick.Automaton()
        for value in set(self.values):
            if value:  # "" is in every text; the automaton takes no empty key
                self._automaton.add_word(value, value)
        if len(self._automaton):
            self._automaton.make_automaton()

    def found_in(self, text: str) -> list[str]:
        """Return the values that occur in text, in the order they were given."""
        found: set[str] = set()
        if len(self._automaton):
            # iter() reports every key ending at each position, overlapping ones too.
            found = {value for _, value in self._automaton.iter(text)}
        return [value for value in self.values if not value or value in found]


def without_progress(output: str) -> str:
    """Return a command's output without the build's per-stage progress lines."""
    return "\n".join(line for line in output.splitlines() if not PROGRESS_LINE.match(line))


def scratch_database(work: Path) -> Path:
    """Return the file of a build's staging and intermediate tables, in its work folder.

    Kept there between builds (issue #23), so a test can look at them.
    """
    return work / "sla_report.scratch.duckdb"


def _shared_root(tmp_path_factory) -> Path:
    """Return the temporary folder every worker of this run shares.

    Under pytest-xdist each worker has its own base folder (popen-gw0, ...)
    inside the run's; without xdist the base folder is the run's.
    """
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def shared_once(tmp_path_factory, name: str, make):
    """Return make(folder), run once per test run whichever worker asks first.

    The result is pickled beside the folder, so the other workers read it
    instead of building again; they wait on a lock (released by the OS
    whatever happens) while the first one builds. A make that fails leaves
    no result: the next worker to ask tries again and fails the same way,
    as each would have without sharing. make must not call shared_once
    itself (two workers taking two locks in turn could wait for each other).
    """
    root = _shared_root(tmp_path_factory) / "shared"
    root.mkdir(exist_ok=True)
    done = root / f"{name}.pickle"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.is_file():
            return pickle.loads(done.read_bytes())
        folder = root / name
        if folder.exists():  # what a failed attempt left
            shutil.rmtree(folder)
        folder.mkdir()
        result = make(folder)
        done.write_bytes(pickle.dumps(result))
        return result


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> tuple[BuildConfig, BuildSummary]:
    """Build the demo report once (demo seeds, as of 2015-10-15) into a temp folder.

    A warehouse password is set in the environment, as CI would set it from
    a secret, so the privacy tests can prove it is written nowhere. Every
    worker sets it: the builds it makes later see it as this one did.
    """
    os.environ["DBT_ENV_SECRET_PG_PASSWORD"] = SECRET

    def build(folder: Path) -> tuple[BuildConfig, BuildSummary]:
        # With the dbt unit tests: make test runs them once, here (site builds skip them).
        config = make_config(out=str(folder / "site"), unit_tests=True)
        return config, build_report(config)

    return shared_once(tmp_path_factory, "demo", build)


@pytest.fixture(scope="session")
def demo_site(demo_build) -> Path:
    """Return the folder of the built demo site."""
    return demo_build[1].out_dir


@pytest.fixture(scope="session")
def plain_build(tmp_path_factory) -> Path:
    """Return a copy of the project built as `sla-report build` builds it (no unit tests).

    The folder holds project/, site/ and .site-work/ (the last good database
    and the state that makes the next build of an unchanged copy re-render
    the pages only). Tests that start from a finished build copy it with
    `copy_built_project` or `copy_work_folder`.
    """
    from click.testing import CliRunner

    from generator.cli import cli

    def build(folder: Path) -> Path:
        project = copy_project(folder / "project")
        result = CliRunner().invoke(
            cli, ["build", "--project-dir", str(project), "--out", str(folder / "site")]
        )
        assert result.exit_code == 0, result.output
        assert "no previous good build: full build" in result.output
        return folder

    return shared_once(tmp_path_factory, "plain", build)


def copy_work_folder(built: Path, out: Path) -> Path:
    """Give the site folder `out` the last good build of `built` (a plain_build folder).

    Copies the work folder only (`.<out>-work`, generator/config.py): the
    next build of an unchanged project into `out` skips dbt and renders the
    pages from that database, while `out` itself is still missing, so that
    build is the site's first ("First build.").
    """
    work = out.parent / f".{out.name}-work"
    shutil.copytree(built / ".site-work", work)
    return work


def copy_built_project(built: Path, target: Path) -> Path:
    """Copy the project of a plain_build into target/project with its last good build.

    Returns the project folder; a build with --out target/site then needs no
    dbt run until the project changes.
    """
    shutil.copytree(built / "project", target / "project")
    copy_work_folder(built, target / "site")
    return target / "project"


@pytest.fixture(scope="session")
def export_build(tmp_path_factory):
    """Return a function that builds the site of a CRM export once per session.

    export_build("hubspot") -> (name, export folder, site folder, (the KPIs
    tests/independent.py computes from the contract tables the export
    means, and its details: the overdue MQLs per owner at MQL time)). The
    source-build tests, the pull tests (a pull must build the same site
    as the files) and the warehouse tests share these builds.
    """

    from tests.crm_exports import EXPORTS, contract_files
    from tests.independent import compute

    def build_in(name: str, root: Path) -> tuple:
        source, settings, write = EXPORTS[name]
        export = root / "export"
        export.mkdir()
        meant = write(DEMO_RAW, export)
        (export / "crm_source.yml").write_text(settings, encoding="utf-8")
        details: dict = {}
        expected = compute(contract_files(meant, root / "meant"), REFERENCE, EXPORT_AS_OF, details)
        out = root / "site"
        # The HubSpot build runs the dbt unit tests too: the HubSpot staging
        # models' own (a deal with two contacts, issue #19) run only when
        # HubSpot is the source.
        build_export_site(export, source, out, *(["--unit-tests"] if source == "hubspot" else []))
        return (name, export, out, (expected, details))

    def build(name: str) -> tuple:
        return shared_once(
            tmp_path_factory, f"export-{name}", lambda folder: build_in(name, folder)
        )

    return build


def build_export_site(export: Path, source: str, out: Path, *options: str):
    """Build the site of a CRM export's folder as of EXPORT_AS_OF; return the CLI's result."""
    from click.testing import CliRunner

    from generator.cli import cli

    arguments = ["--source", source, "--data", str(export), "--as-of", EXPORT_AS_OF.isoformat()]
    result = CliRunner().invoke(cli, ["build", *arguments, "--out", str(out), *options])
    assert result.exit_code == 0, result.output
    return result


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
    # Parsed once per version of the file: tests parametrized over many
    # values read the same pages again for each value.
    stat = path.stat()
    return _page_text(path, separator, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=2048)
def _page_text(path: Path, separator: str, mtime_ns: int, size: int) -> str:
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
        message = (
            f"{CHROMIUM} is missing: run scripts/install-chromium "
            "(make test does) or set SLA_REPORT_CHROMIUM"
        )
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site_url(demo_site):
    """Serve the demo site over HTTP on 127.0.0.1; return its base URL."""
    from tests.browser import serve

    with serve(demo_site) as url:
        yield url


# -- sharing the work between pytest-xdist workers (issue #22) -------------------------
#
# `make test` runs `pytest -n <cores + 1>`: a group of tests runs in one worker,
# in order. By default a module is a group, so its module-scoped builds are
# made once. The modules below have long tests that share nothing costly
# but the session's builds (shared by every worker, see shared_once): each
# of their tests is a group of its own, so the workers can share them out.
# test_warehouses.py is split by the engine each test starts.
OWN_GROUP_PER_TEST = {
    "test_browser",
    "test_changes",
    "test_publishing",
    "test_exports",
    "test_review_layout",
    "test_print",
}

# Groups handed out first, the longest first (by the seconds --durations gave
# them in a full run on the 2-core machine); the rest follow in the files'
# order. A long group started last would leave one worker running it alone
# at the end.
LONGEST_FIRST = [
    "test_warehouses:spark",
    "test_warehouses:postgres",
    "test_workflows",
    "test_pull",
    "test_changes:test_no_stale_number_after_any_kind_of_edit",
    "test_browser",
    "test_exports",
    "test_quality",
    "test_publishing",
    "test_bad_input",
    "test_review_layout",
    "test_review",
    "test_fuzz",
    "test_security",
    "test_agreement_lifecycle",
    "test_data_dir_build",
    "test_source_builds",
    "test_honest_verdicts",
    "test_settings",
    "test_history_record",
]


def test_group(nodeid: str) -> str:
    """Return the group of a test: tests of one group run in one worker, in order."""
    path, _, name = nodeid.partition("::")
    module = Path(path).stem
    if module == "test_warehouses":
        # Every Spark test in one worker, one JVM at a time: local Spark uses
        # both cores, and two at once (a full run measured 362 s and 317 s side
        # by side against 180 s and 167 s alone) held both workers for six
        # minutes. The rest: PostgreSQL's server and builds.
        if "spark" in name:
            return "test_warehouses:spark"
        return "test_warehouses:postgres"
    if module == "test_pull" and name.startswith("test_a_pull_builds_the_same_site"):
        return f"test_pull:{name}"
    if module in OWN_GROUP_PER_TEST:
        return f"{module}:{name}"
    return module


def _rank(group: str) -> int:
    for index, name in enumerate(LONGEST_FIRST):
        if group == name or group.startswith(name + ":"):
            return index
    return len(LONGEST_FIRST)


def pytest_xdist_make_scheduler(config, log):
    """Hand out whole groups (test_group), in the collection's order (longest first)."""
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return test_group(nodeid)

    # LoadScopeScheduling would put the groups with the most tests first.
    config.option.loadscopereorder = False
    return GroupScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """In an xdist worker, put the groups known to be long first.

    Every worker sorts the same way, as the scheduler requires; a plain
    `pytest` run keeps the files' order.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # sorted() is stable: within a rank, the collection's order.
        items[:] = sorted(items, key=lambda item: _rank(test_group(item.nodeid)))
