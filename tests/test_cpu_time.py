"""The suite's CPU report (tests/cpu_time.py, issue #22): it ranks work, not waiting."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import HUNG_AFTER
from tests.cpu_time import tree_cpu_seconds

ROOT = Path(__file__).resolve().parent.parent

BURN = "import time\nend = time.process_time() + {seconds}\nwhile time.process_time() < end: pass\n"


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def _counted_for_a_live_child(script: str) -> float:
    """Run `python -c script` until it prints 'burnt'; return the CPU seconds counted for it.

    The child stays alive (unwaited) while it is measured; what this process
    used meanwhile is taken off, leaving the child's seconds alone.
    """
    before, own_before = tree_cpu_seconds(), _own_cpu_seconds()
    child = subprocess.Popen(
        [sys.executable, "-c", script + "print('burnt', flush=True)\ntime.sleep(60)\n"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline() == "burnt\n"
        return (tree_cpu_seconds() - before) - (_own_cpu_seconds() - own_before)
    finally:
        child.kill()
        child.wait()


def test_a_running_child_process_counts():
    """A child still running (a JVM, a browser) is read from /proc, not lost."""
    assert _counted_for_a_live_child(BURN.format(seconds=0.6)) >= 0.5


def test_a_finished_grandchild_counts_through_its_running_parent():
    """A process that ended and was reaped by a running child counts: Chromium's
    renderers end within a test, reaped by the browser, which runs on."""
    # The child runs the burner to its end (and reaps it), then stays alive.
    burner = BURN.format(seconds=0.6)
    script = (
        "import subprocess, sys, time\n"
        f"subprocess.run([sys.executable, '-c', {burner!r}], check=True)\n"
    )
    assert _counted_for_a_live_child(script) >= 0.5


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "xdist"])
def test_the_report_ranks_cpu_not_wall_time(tmp_path, workers):
    (tmp_path / "test_sample.py").write_text(
        "import time\n\n"
        "def test_waits():\n    time.sleep(1.0)\n\n"
        "def test_works():\n" + textwrap.indent(BURN.format(seconds=0.5), "    ")
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.cpu_time", "--cpu-durations=1", *workers],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=HUNG_AFTER,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if "1 tests using the most CPU" in line)
    seconds, _, nodeid = lines[header + 1].partition("s cpu  ")
    assert nodeid == "test_sample.py::test_works" and float(seconds) >= 0.4
    assert "in 2 tests" in lines[header + 2]
