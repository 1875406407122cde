"""One content hash for every file the build compares between runs (issue #23).

The input check records each clean copy's hash, and the rebuild planner uses
a recorded hash instead of reading the file again: both must mean the same
thing, so both use this function.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def hash_file(path: Path) -> str:
    """Return the content hash of a file (BLAKE2b, 16 bytes, hex)."""
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
