"""What a build prints while it runs: the stage, its counts and the time (issue #8).

Three ways to show it, chosen from where the output goes:
- a terminal gets one status line, rewritten in place at most a few times a
  second ("dbt: 57/251 nodes (44 models, 13 tests) 6.2 s");
- a log (CI, a pipe) gets one line per finished stage with its duration;
- --quiet gets nothing here: only the final line and errors are printed.

Every mode records the stage timings for the final line.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

REFRESH_SECONDS = 0.2
"""A terminal line is redrawn at most this often: progress, not a flood."""


class Progress:
    """Stage timings of one build, shown as they happen."""

    def __init__(self, mode: str = "auto", stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        if mode == "auto":
            mode = "terminal" if self.stream.isatty() else "lines"
        if mode not in ("terminal", "lines", "quiet"):
            raise ValueError(f"unknown progress mode {mode!r}")
        self.mode = mode
        self.timings: list[tuple[str, float]] = []
        self._lock = threading.Lock()
        self._stage: str | None = None
        self._detail = ""
        self._started = 0.0
        self._drawn_at = 0.0
        self._width = 0

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time one stage; its last detail is printed with it when it ends."""
        with self._lock:
            self._stage, self._detail, self._started = name, "", time.perf_counter()
        self._draw(force=True)
        try:
            yield
        except BaseException:
            # The error is the message: no stage line above it.
            with self._lock:
                self._stage = None
            if self.mode == "terminal":
                self._clear()
            raise
        seconds = time.perf_counter() - self._started
        with self._lock:
            self.timings.append((name, seconds))
            detail, self._stage = self._detail, None
        if self.mode == "terminal":
            self._clear()
        elif self.mode == "lines":
            self._write(f"{name}: {detail + ', ' if detail else ''}{seconds:.1f} s\n")

    def update(self, detail: str) -> None:
        """Set what the current stage has done so far (counts, not a message)."""
        with self._lock:
            self._detail = detail
        self._draw()

    def summary(self) -> str:
        """Return the stage timings for the final line: 'dbt 6.1 s, pages 1.2 s, ...'."""
        return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.timings)

    def _draw(self, force: bool = False) -> None:
        if self.mode != "terminal":
            return
        now = time.perf_counter()
        with self._lock:
            if self._stage is None or (not force and now - self._drawn_at < REFRESH_SECONDS):
                return
            self._drawn_at = now
            text = (
                f"{self._stage}: {self._detail + ' ' if self._detail else ''}"
                f"{now - self._started:.1f} s"
            )
            padding = " " * max(0, self._width - len(text))
            self._width = len(text)
        self._write(f"\r{text}{padding}")

    def _clear(self) -> None:
        with self._lock:
            width, self._width = self._width, 0
        self._write("\r" + " " * width + "\r")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


class DbtProgress:
    """Turn dbt's events into 'x/y nodes (n models, m tests)' on a Progress.

    Passed to dbtRunner as a callback: dbt calls it for every event, from its
    worker threads, whatever the log level.
    """

    FINISHED = "NodeFinished"

    def __init__(self, progress: Progress):
        self.progress = progress
        self.total = 0
        self.done: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, event) -> None:
        name = event.info.name
        if name == self.FINISHED:
            kind = event.data.node_info.resource_type
            with self._lock:
                self.done[kind] = self.done.get(kind, 0) + 1
                detail = self.describe()
            self.progress.update(detail)
        elif self.total == 0 and hasattr(event.data, "total") and event.data.total:
            self.total = event.data.total

    def describe(self) -> str:
        """Return '57/251 nodes (44 models, 13 data tests)'."""
        finished = sum(self.done.values())
        parts = [
            f"{count} {_plural(kind, count)}"
            for kind, count in sorted(self.done.items(), key=lambda item: _ORDER.get(item[0], 9))
        ]
        of_total = f"/{self.total}" if self.total else ""
        return f"{finished}{of_total} nodes ({', '.join(parts)})" if parts else ""


_ORDER = {"seed": 0, "model": 1, "test": 2, "unit_test": 3}
_NAMES = {"test": ("data test", "data tests"), "unit_test": ("unit test", "unit tests")}


def _plural(kind: str, count: int) -> str:
    one, many = _NAMES.get(kind, (kind, kind + "s"))
    return one if count == 1 else many
