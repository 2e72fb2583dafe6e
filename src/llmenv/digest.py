"""SHA-256 of a file, read in blocks: downloads, bundle members and virtualenv's seed wheels are all checked by it,
and a torch wheel (hundreds of MB) must not be read into memory whole."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


__all__ = ["sha256_of"]
