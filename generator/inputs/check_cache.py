"""The raw-file pre-check's results, kept between builds (issue #23).

The pre-check parses every CSV in Python and scans typed columns in DuckDB:
at 1M leads that is most of an agreement-text edit. A file that has not
changed since its last good check is not checked again: its clean copy (the
file dbt reads), the header-only stand-ins and one record per raw table stay
in the build's work folder (`<work>/inputs/`), and the record is reused while
the original's size, modification time and inode are the recorded ones. A
touched file of the same size is hashed: the same content is still the same
check; anything else is checked from scratch. Only a check that passed is
recorded, so every message a failing file gets is printed again each build.

The clean copies outlive the process (unlike the per-process scratch folder
`sla-report load` still uses), so the compiled SQL in dbt's manifest points
at files that exist, and a file's content hash, computed once, feeds the
rebuild planner's fingerprint (generator/dbt/changes.py).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from generator.hashing import hash_file
from generator.inputs.raw_files import RawFile

log = logging.getLogger(__name__)

CHECK_VERSION = 1
"""Bumped when the checks or the clean copies change: every record is then stale."""

RECORD_SUFFIX = ".check.json"
_NOTES_LOGGER = "generator.inputs.raw_files"
"""Where the reader says how it read a file (encoding, delimiter): said again on a reuse."""


def _stat(path: Path) -> dict:
    status = path.stat()
    return {"size": status.st_size, "mtime_ns": status.st_mtime_ns, "inode": status.st_ino}


def _same_stat(recorded: dict, path: Path) -> bool:
    try:
        current = _stat(path)
    except OSError:
        return False
    return all(recorded.get(key) == value for key, value in current.items())


@dataclass(frozen=True)
class CheckCache:
    """The folder of one build's clean copies, stand-ins and check records."""

    folder: Path

    def out_dir(self) -> Path:
        """Return the folder clean copies and stand-ins are written to (created)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder

    def _record_path(self, table: str) -> Path:
        return self.folder / f"{table}{RECORD_SUFFIX}"

    def _read_record(self, table: str) -> dict | None:
        try:
            record = json.loads(self._record_path(table).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if record.get("version") == CHECK_VERSION else None

    def lookup(self, original: Path, table: str, checks: str) -> RawFile | None:
        """Return the last good check of `original` as `table`, or None to check it again.

        `checks` names what was checked (required and typed columns): a
        record made under other checks is not reused.
        """
        record = self._read_record(table)
        if (
            record is None
            or record["checks"] != checks
            or record["original"]["path"] != str(original)
        ):
            return None
        clean = Path(record["clean"]["path"])
        passthrough = clean == original  # a Parquet file dbt reads as it is
        if not passthrough and not _same_stat(record["clean"], clean):
            return None  # the copy dbt reads changed or vanished
        if not _same_stat(record["original"], original):
            if not self._same_content(record, original, passthrough):
                return None
            self._write_record(table, record)
        for level, message in record["notes"]:
            logging.getLogger(_NOTES_LOGGER).log(level, "%s", message)
        return RawFile(
            original=original,
            path=clean,
            columns=record["columns"],
            rows=record["rows"],
            start_lines=[],  # only a failing type check names a line; this one passed
            headers=tuple(record["headers"]),
        )

    def _same_content(self, record: dict, original: Path, passthrough: bool) -> bool:
        """Return whether a touched file still has the recorded content (updating its stat)."""
        try:
            if original.stat().st_size != record["original"]["size"]:
                return False
            if hash_file(original) != record["original"]["hash"]:
                return False
        except OSError:
            return False
        record["original"].update(_stat(original))
        if passthrough:
            record["clean"].update(_stat(original))
        return True

    def forget(self, table: str) -> None:
        """Drop a table's record before its file is checked again (a crash then re-checks)."""
        self._record_path(table).unlink(missing_ok=True)

    def store(self, raw: RawFile, table: str, checks: str, notes: list[tuple[int, str]]) -> None:
        """Record a check that passed: the file's stat and hash, its copy's, what was found."""
        original_hash = hash_file(raw.original)
        clean_hash = original_hash if raw.path == raw.original else hash_file(raw.path)
        record = {
            "version": CHECK_VERSION,
            "table": table,
            "checks": checks,
            "original": {"path": str(raw.original), "hash": original_hash, **_stat(raw.original)},
            "clean": {"path": str(raw.path), "hash": clean_hash, **_stat(raw.path)},
            "columns": list(raw.columns),
            "rows": raw.rows,
            "headers": list(raw.headers),
            "notes": notes,
        }
        self._write_record(table, record)

    def _write_record(self, table: str, record: dict) -> None:
        temporary = self.folder / f".{table}{RECORD_SUFFIX}.tmp"
        temporary.write_text(json.dumps(record, indent=1), encoding="utf-8")
        os.replace(temporary, self._record_path(table))

    def known_hashes(self) -> dict[Path, str]:
        """Return clean copy -> content hash, for the copies whose stat is still the recorded."""
        hashes: dict[Path, str] = {}
        if not self.folder.is_dir():
            return hashes
        for path in self.folder.glob(f"*{RECORD_SUFFIX}"):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
                clean = record["clean"]
            except (OSError, ValueError, KeyError):
                continue
            if record.get("version") == CHECK_VERSION and _same_stat(clean, Path(clean["path"])):
                hashes[Path(clean["path"])] = clean["hash"]
        return hashes


@contextmanager
def recorded_notes() -> Iterator[list[tuple[int, str]]]:
    """Collect what the raw-file reader logs while a file is read, to say again on reuse."""
    notes: list[tuple[int, str]] = []

    class _Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            notes.append((record.levelno, record.getMessage()))

    handler = _Collector(logging.DEBUG)
    logger = logging.getLogger(_NOTES_LOGGER)
    logger.addHandler(handler)
    try:
        yield notes
    finally:
        logger.removeHandler(handler)


def write_if_changed(path: Path, text: str) -> Path:
    """Write a small file only when its text differs, so its stat stays that of last build."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return path
    except OSError:
        pass
    path.write_text(text, encoding="utf-8")
    return path
