"""One build of a site at a time: an advisory lock the operating system releases on exit.

flock() is released when the process ends, however it ends (even SIGKILL), so
a crashed build never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from generator.exceptions import BuildLockedError


@contextmanager
def build_lock(
    work_dir: Path, what: str = "build of this site", name: str = "build.lock"
) -> Iterator[None]:
    """Hold the lock `name` in work_dir, or raise BuildLockedError naming the holder.

    A pull locks its data folder the same way (what="pull into this data folder").
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    path = work_dir / name
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BuildLockedError(
                f"another {what} is running ({holder}); nothing was changed. "
                f"Try again when it has finished."
            ) from None
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC)
        handle.write(f"pid {os.getpid()}, started {started:%Y-%m-%d %H:%M:%S} UTC")
        handle.flush()
        yield
    finally:
        handle.close()  # closing the file releases the lock
