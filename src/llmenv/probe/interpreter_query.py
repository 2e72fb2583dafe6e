"""Asking one interpreter what it is (version, bitness, prefix, base prefix), and remembering the answer.

Asking costs a process per interpreter (11 on the development machine: most of doctor's time), so answers are
cached in the user cache folder keyed by the interpreter file's path, size, mtime and inode, as uv caches its
interpreter queries: unchanged interpreters are not asked again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

from llmenv.process import run

# Python 2 compatible on purpose: old interpreters on PATH must still answer so doctor can say they are too old.
QUERY = (
    "import sys,platform,struct,json;sys.stdout.write(json.dumps({'executable':sys.executable,"
    "'version':'%d.%d.%d'%tuple(sys.version_info[:3]),'implementation':platform.python_implementation(),"
    "'bits':struct.calcsize('P')*8,'machine':platform.machine(),'prefix':sys.prefix,"
    "'base_prefix':getattr(sys,'base_prefix',getattr(sys,'real_prefix',sys.prefix))}))"
)
QUERY_TIMEOUT = 4.0


def parse_query(text: str) -> dict[str, object]:
    """An interpreter's answer through the door (any program on PATH may call itself python3): bounded depth, no
    NaN, so a hostile answer is "unexpected", never a crash."""
    from llmenv.door.files import ANSWER
    from llmenv.door.jsondoc import parse_json
    from llmenv.errors import InputError

    try:
        data = parse_json(text[: ANSWER.limit], "the interpreter's answer", ANSWER)
    except InputError as exc:
        raise ValueError(exc.what) from None
    if not isinstance(data, dict) or "version" not in data:
        raise ValueError("not an interpreter description")
    return data


def query(executable: str) -> tuple[dict[str, object] | None, str | None]:
    result = run([executable, "-c", QUERY], timeout=QUERY_TIMEOUT)
    if not result.ok:
        return None, result.describe_failure()
    try:
        return parse_query(result.stdout), None
    except ValueError:
        return None, f"unexpected answer: {result.stdout.strip()[:120]!r}"


CACHE_VERSION = "1"


def _fingerprint(path: str) -> str | None:
    """What must stay equal for a cached answer to stand (uv keys its interpreter cache the same way): the path,
    and size, mtime and inode of the file and of what it links to. Scripts (pyenv shims, wrappers) are never
    cached: which Python they start depends on the working folder and the environment, not on the file."""
    try:
        link, target = os.lstat(path), os.stat(path)
        with open(path, "rb") as handle:
            if handle.read(2) == b"#!":
                return None
    except OSError:
        return None
    digest = hashlib.sha256(QUERY.encode()).hexdigest()[:12]
    parts = (CACHE_VERSION, digest, os.path.abspath(path))
    stats = (link.st_size, link.st_mtime_ns, link.st_ino, target.st_size, target.st_mtime_ns, target.st_ino)
    return "|".join((*parts, *map(str, stats)))


def cache_folder() -> Path | None:
    """The user's cache folder for interpreter answers, or None when it cannot be trusted (owned by someone
    else, or writable by others: another local user could plant answers)."""
    from platformdirs import user_cache_path

    folder = user_cache_path("llmenv", appauthor=False) / "interpreters"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    from llmenv.trust import untrusted

    # The answers decide which interpreter runs: the one ownership rule, for the folder and every one above it.
    return folder if untrusted(folder, directory=True) is None else None


def parse_query_cache(entry: Path) -> object:
    """A cache entry through the door: a regular file, bounded, JSON of bounded depth; anything else is a miss."""
    from llmenv.door.files import ANSWER, read_text
    from llmenv.door.jsondoc import parse_json
    from llmenv.errors import InputError

    try:
        return parse_json(read_text(entry, ANSWER), str(entry), ANSWER)
    except InputError as exc:
        raise ValueError(exc.what) from None


def cached_query(executable: str, folder: Path | None = None) -> tuple[dict[str, object] | None, str | None]:
    """`query`, answered from the cache while the interpreter file is unchanged. Failures are not cached: a
    Python that did not answer in time on a busy machine is asked again next time. An interpreter another user
    could have replaced (`llmenv.trust`) is neither asked nor answered from the cache: it is never chosen, so no
    installer runs it either."""
    from llmenv.trust import program_refusal

    refusal = program_refusal(executable, None) if os.sep in executable else None
    if refusal:
        return None, refusal
    key = _fingerprint(executable)
    entry = folder / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json" if key and folder else None
    if entry is not None:
        try:
            data = parse_query_cache(entry)
            if isinstance(data, dict) and data.get("key") == key and isinstance(data.get("info"), dict):
                return data["info"], None
        except (OSError, ValueError):
            pass
    info, error = query(executable)
    if info is not None and entry is not None:
        # A reader that sees a half-written entry gets invalid JSON: a miss, never a wrong answer.
        with contextlib.suppress(OSError):
            entry.write_text(json.dumps({"key": key, "info": info}), encoding="utf-8")
    return info, error


__all__ = ["CACHE_VERSION", "QUERY", "QUERY_TIMEOUT", "cache_folder", "cached_query", "parse_query", "query"]
