"""Which CPython minors the bundled uv can install here: its own list (`uv python list --only-downloads`), read
once per uv binary and cached, so a managed CPython can be any minor that uv offers (3.14, 3.15 ...), not a list
written into llmenv. Parsed by the pure `parse_uv_python_list` below."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def parse_uv_python_list(text: str) -> tuple[str, ...]:
    """`uv python list --only-downloads` -> the CPython minors it can install here, newest first. Free-threaded,
    debug and pre-release builds, PyPy and GraalPy are left out: the frameworks publish no wheels for them."""
    import re

    found: set[tuple[int, int]] = set()
    for line in text.splitlines():
        key = line.split(maxsplit=1)[0] if line.strip() else ""
        match = re.fullmatch(r"cpython-(\d+)\.(\d+)\.(\d+)-[^+]*", key)
        if match is not None:
            found.add((int(match.group(1)), int(match.group(2))))
    return tuple(f"{a}.{b}" for a, b in sorted(found, reverse=True))


def _cache_file(uv: str) -> Path:
    from llmenv.paths import cache_root

    info = os.stat(uv)
    source = os.environ.get("UV_PYTHON_DOWNLOADS_JSON_URL", "")
    key = hashlib.sha256(f"{uv}\0{info.st_size}\0{info.st_mtime_ns}\0{source}".encode()).hexdigest()[:16]
    return cache_root() / f"uv-python-downloads-{key}.txt"


def managed_minors() -> tuple[str, ...] | None:
    """The minors, newest first; None when uv is missing or its list cannot be read (the plan then tries the
    frameworks' best-supported minors)."""
    from llmenv.process import run
    from llmenv.tools import find_uv

    uv = find_uv()
    if uv is None:
        return None
    try:
        cache = _cache_file(uv)
        if cache.is_file() and (not hasattr(os, "getuid") or cache.stat().st_uid == os.getuid()):
            minors = parse_uv_python_list(cache.read_text(encoding="utf-8"))
            if minors:
                return minors
    except OSError:
        cache = None
    # UV_PYTHON_DOWNLOADS_JSON_URL, when set, passes through: uv then lists what that file offers.
    result = run([uv, "python", "list", "--only-downloads", "--color", "never"], timeout=30)
    minors = parse_uv_python_list(result.stdout) if result.ok else ()
    if not minors:
        return None
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            # A name of its own (O_EXCL, random): hosts sharing one data folder may have runs with the same pid.
            handle, name = tempfile.mkstemp(prefix=f".{cache.name}.", dir=cache.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(result.stdout)
                Path(name).replace(cache)
            finally:
                Path(name).unlink(missing_ok=True)  # gone already once renamed
        except OSError:
            pass  # a read-only data folder: uv is asked again next time (70 ms)
    return minors


__all__ = ["managed_minors", "parse_uv_python_list"]
