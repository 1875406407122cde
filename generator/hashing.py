"""One content hash for everything the build compares between runs (issue #23).

The input check records each clean copy's hash, and the rebuild planner uses
a recorded hash instead of reading the file again: both must mean the same
thing, so both use these functions.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_DIGEST_SIZE = 16


def hash_bytes(data: bytes) -> str:
    """Return the content hash of bytes (BLAKE2b, 16 bytes, hex)."""
    return hashlib.blake2b(data, digest_size=_DIGEST_SIZE).hexdigest()


def hash_file(path: Path) -> str:
    """Return the content hash of a file: hash_bytes of its content, read in chunks."""
    digest = hashlib.blake2b(digest_size=_DIGEST_SIZE)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
