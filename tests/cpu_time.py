"""CPU seconds per test, beside pytest's --durations (issue #22).

On a 2-core machine the suite is CPU-bound, so a test's wall time also counts
the seconds it waited for a core while other workers built: --durations ranks
waiting together with work. `--cpu-durations=N` prints the N tests that used
the most CPU, setup and teardown included: this process, the children it has
waited for, and the processes it started that still run (a Spark JVM,
Chromium) with the children they have waited for (Chromium's renderers),
read from /proc (Linux; elsewhere, this process and its waited children
only). A server that detaches from its parent, as PostgreSQL's
does under pg_ctl, is not counted.

A session fixture is counted in the test that made it, as --durations counts
it; with pytest-xdist each worker measures its own tests and the controller
prints them all.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_PROPERTY = "cpu_seconds"
_START = pytest.StashKey[float]()
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def pytest_addoption(parser):
    parser.getgroup("terminal reporting").addoption(
        "--cpu-durations",
        type=int,
        default=None,
        metavar="N",
        help="show the N tests that used the most CPU seconds (N=0 for all)",
    )


def _running_descendants_cpu(pid: int) -> float:
    """Return the CPU seconds of pid's running descendants and the children they reaped."""
    total, stack = 0.0, [pid]
    while stack:
        parent = stack.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:  # gone since its parent listed it, or no /proc
            continue
        for task in tasks:
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                try:
                    stat = Path(f"/proc/{child}/stat").read_text()
                except OSError:
                    continue
                # Fields after the command name, which may hold spaces or ')'.
                # Its own time, and that of the children it has reaped:
                # Chromium's renderers end within a test, reaped by a browser
                # that runs on, and were missed without the second pair.
                fields = stat[stat.rfind(")") + 2 :].split()
                total += sum(int(value) for value in fields[11:15]) / _TICKS
                stack.append(child)
    return total


def tree_cpu_seconds() -> float:
    """Return the CPU seconds used so far by this process and everything it started."""
    times = os.times()
    own = times.user + times.system + times.children_user + times.children_system
    return own + _running_descendants_cpu(os.getpid())


def _enabled(config) -> bool:
    return config.getoption("cpu_durations") is not None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if _enabled(item.config):
        item.stash[_START] = tree_cpu_seconds()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Before the teardown's report is made, so that it carries the figure
    # (pytest-xdist sends a report's user_properties to the controller).
    if call.when == "teardown" and _START in item.stash:
        item.user_properties.append((_PROPERTY, tree_cpu_seconds() - item.stash[_START]))
    return (yield)


def pytest_configure(config):
    if _enabled(config):
        config.pluginmanager.register(_Report(config.getoption("cpu_durations")), "cpu-durations")


class _Report:
    """Collect each test's figure (from this process's or a worker's reports); print the top."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report):
        if report.when == "teardown":
            seconds = dict(report.user_properties).get(_PROPERTY)
            if seconds is not None:
                self.seconds[report.nodeid] = seconds

    def pytest_terminal_summary(self, terminalreporter):
        if not self.seconds:
            return
        ranked = sorted(self.seconds.items(), key=lambda item: -item[1])
        shown = ranked if self.count == 0 else ranked[: self.count]
        terminalreporter.write_sep("=", f"{len(shown)} tests using the most CPU")
        for nodeid, seconds in shown:
            terminalreporter.write_line(f"{seconds:8.2f}s cpu  {nodeid}")
        total = sum(self.seconds.values())
        terminalreporter.write_line(
            f"{total:.0f} CPU seconds in {len(ranked)} tests, "
            f"{sum(s for _, s in shown):.0f} in those shown"
        )
