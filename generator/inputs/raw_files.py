"""Read raw text files as they come and hand dbt one clean copy of each (issue #11).

CRM exports arrive with byte-order marks, UTF-16, CRLF or bare CR line ends,
quoted line breaks in address and note fields, NUL bytes, semicolons as the
delimiter, headers in another case or with spaces, and fields of a megabyte.
DuckDB's CSV sniffer trips over some of these combinations (a quoted line
break with null_padding stops the parallel scanner), so every CSV is parsed
here once, strictly, and rewritten as plain UTF-8, comma-delimited, every
field quoted, with normalised column names and one extra column,
`_source_line`, the line of the original file where each record starts.
Anything that cannot be read is refused with the file, the line and what to
do, before dbt runs.
"""

from __future__ import annotations

import atexit
import csv
import io
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from generator.exceptions import ConfigError

log = logging.getLogger(__name__)

SOURCE_LINE = "_source_line"
"""Column added to every normalised CSV: the original line a record starts on."""

# A field of a few megabytes is plausible (notes, HTML mail bodies); Python's
# csv module stops at 128 KB unless told otherwise.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8 with a byte-order mark"),
    (b"\xff\xfe", "utf-16", "UTF-16 (little-endian)"),
    (b"\xfe\xff", "utf-16", "UTF-16 (big-endian)"),
)
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass(frozen=True)
class RawFile:
    """One raw table as dbt will read it."""

    original: Path
    """The file the user gave."""

    path: Path
    """The clean copy dbt reads (the original itself for Parquet)."""

    columns: list[str]
    """Normalised column names (lower case, spaces as underscores), as in the file."""

    rows: int
    """Records read (blank lines are not records)."""

    start_lines: list[int]
    """Line of the original file where each record starts (empty for Parquet)."""

    headers: tuple[str, ...] = ()
    """The column names as the file writes them (for messages: "did you mean MQL_DATE__C?")."""


def normalise_name(name: str) -> str:
    """Return a column name as the contract spells it: trimmed, lower case, '_' for spaces."""
    return re.sub(r"\s+", "_", name.replace("\ufeff", "").strip().lower())


def scratch_dir() -> Path:
    """Return a private folder for this process's clean copies, removed at exit."""
    global _SCRATCH
    if _SCRATCH is None or not _SCRATCH.is_dir():
        _SCRATCH = Path(tempfile.mkdtemp(prefix="sla-report-input-"))
        atexit.register(shutil.rmtree, _SCRATCH, True)
    return _SCRATCH


_SCRATCH: Path | None = None


def decode(path: Path, data: bytes) -> str:
    """Return the text of a raw file, or a ConfigError naming the encoding problem."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as error:
                raise ConfigError(
                    f"{path}: starts as {label} but byte {error.start} is not "
                    f"valid {label}; save the file again as UTF-8"
                ) from error
            log.info("%s: read as %s", path.name, label)
            return text.lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        raise ConfigError(
            f"{path}: line {line}: byte 0x{byte:02x} is not UTF-8; the file looks like "
            "Windows-1252 or Latin-1. Save it as UTF-8 (in Excel: 'CSV UTF-8') and build "
            "again"
        ) from error


def _delimiter(path: Path, header_line: str) -> str:
    """Return the delimiter of a file from its header line (comma unless clearly not)."""
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[","] == 0 and counts[best] > 0:
        log.warning("%s: read as %s-delimited", path.name, _DELIMITERS[best])
        return best
    return ","


def read_csv_file(path: Path, out_dir: Path, name: str | None = None) -> RawFile:
    """Parse a raw CSV strictly and write its clean copy into out_dir, as `name`.csv."""
    data = path.read_bytes()
    text = decode(path, data)
    if "\x00" in text:
        # NUL is never meaningful in a CRM export (it comes from fixed-width or
        # UTF-16 files cut badly); drop it and say so.
        log.warning("%s: dropped %d NUL characters", path.name, text.count("\x00"))
        text = text.replace("\x00", "")
    if not text.strip():
        raise ConfigError(f"{path}: the file is empty (not even a header row)")
    first_end = re.search(r"\r\n|\r|\n", text)
    if first_end and first_end.group() == "\r":
        # Old Mac line ends: Python's csv reader loses a quoted line break
        # inside a CR-only file, so make the line ends LF first.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    header_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    delimiter = _delimiter(path, header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
        columns = _header_names(path, header)
        records: list[list[str]] = []
        start_lines: list[int] = []
        previous_end = reader.line_num
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # a blank line, such as the trailing empty line
            if len(record) > len(columns):
                extra = record[len(columns) :]
                if any(value.strip() for value in extra):
                    raise ConfigError(
                        f"{path}: line {start}: {len(record)} fields but the header has "
                        f"{len(columns)} columns; quote fields that contain the delimiter "
                        f"{delimiter!r}"
                    )
                record = record[: len(columns)]
            records.append(record + [""] * (len(columns) - len(record)))
            start_lines.append(start)
    except csv.Error as error:
        raise ConfigError(
            f"{path}: line {reader.line_num}: cannot be read as CSV ({error}); "
            'a quote inside a quoted field must be doubled ("")'
        ) from error
    clean = _write_clean_csv(out_dir / f"{name or path.stem}.csv", columns, records, start_lines)
    return RawFile(
        original=path,
        path=clean,
        columns=columns,
        rows=len(records),
        start_lines=start_lines,
        headers=tuple(name.replace("\ufeff", "").strip() for name in header),
    )


def _header_names(path: Path, header: list[str]) -> list[str]:
    """Return normalised, unique column names; unnamed columns get a placeholder."""
    names = [
        normalise_name(name) or f"_unnamed_{number}" for number, name in enumerate(header, start=1)
    ]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigError(f"{path}: line 1: column {name!r} appears twice in the header")
        seen.add(name)
    return names


def read_parquet_file(path: Path, out_dir: Path, name: str | None = None) -> RawFile:
    """Return a Parquet raw file, renamed to the contract's column names when needed."""
    quoted = str(path).replace("'", "''")
    try:
        with duckdb.connect() as connection:
            names = [
                row[0]
                for row in connection.execute(
                    f"describe select * from read_parquet('{quoted}')"
                ).fetchall()
            ]
            [(rows,)] = connection.execute(
                f"select count(*) from read_parquet('{quoted}')"
            ).fetchall()
            columns = _header_names(path, names)
            if columns == names:
                return RawFile(path, path, columns, rows, [], tuple(names))
            clean = out_dir / f"{name or path.stem}.parquet"
            renamed = ", ".join(
                f'"{old.replace(chr(34), chr(34) * 2)}" as "{new}"'
                for old, new in zip(names, columns, strict=True)
            )
            with _replacing(clean) as temporary:
                target = str(temporary).replace("'", "''")
                connection.execute(
                    f"copy (select {renamed} from read_parquet('{quoted}')) "
                    f"to '{target}' (format parquet)"
                )
    except duckdb.Error as error:
        raise ConfigError(f"{path}: cannot be read as Parquet: {error}") from error
    return RawFile(path, clean, columns, rows, [], tuple(names))


def _write_clean_csv(
    clean: Path, columns: list[str], records: list[list[str]], start_lines: list[int]
) -> Path:
    """Write the clean copy: every field quoted, the original line of each record last."""
    with _replacing(clean) as temporary:
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n")
            writer.writerow([*columns, SOURCE_LINE])
            for record, line in zip(records, start_lines, strict=True):
                writer.writerow([*record, str(line)])
    return clean


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary file beside path that replaces it once written.

    The clean copies in a build's work folder outlive the build (issue #23):
    a copy is never seen half-written, by a crash or by a dbt still reading it.
    """
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def read_raw_file(path: Path, out_dir: Path | None = None, name: str | None = None) -> RawFile:
    """Return the clean, dbt-readable form of one raw file (CSV or Parquet).

    `name`, the raw table's, names the clean copy: the files themselves may
    share one name (issue #24: each table a link to `exports/<table>/<day>.csv`).
    """
    out_dir = out_dir or scratch_dir()
    if path.suffix.lower() == ".parquet":
        return read_parquet_file(path, out_dir, name)
    return read_csv_file(path, out_dir, name)


def broken_link(candidates: list[Path]) -> str:
    """Return ", a link to a missing file" text for the first dangling symlink, else ''."""
    for path in candidates:
        if path.is_symlink() and not path.exists():
            return f"; {path.name} is a link to {os.readlink(path)}, which does not exist"
    return ""
