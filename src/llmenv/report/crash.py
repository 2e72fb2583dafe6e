"""Bug reports: the traceback goes to a file, the user gets its path.

A traceback holds argv, paths and values: it is written 0600, into llmenv's log folder when that folder is the
user's own and private, else into a fresh private folder (mkdtemp, 0700) - never straight into a shared /tmp, where
another user could read it or plant a symlink at the predictable name."""

from __future__ import annotations

import contextlib
import datetime as dt
import platform
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path

from llmenv import __version__
from llmenv.paths import create_private, log_dir, make_private
from llmenv.sink import redact


def write_crash_log(exc: BaseException, argv: list[str]) -> Path:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    body = redact(
        f"llmenv {__version__} on Python {sys.version.split()[0]} ({platform.platform()})\n"
        f"argv: {argv!r}\n\n" + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    )
    for folder in _private_folders():
        try:
            return create_private(folder / f"crash-{stamp}.log", body)
        except OSError:
            continue
    return Path("<unwritable>")


def _private_folders() -> Iterator[Path]:
    with contextlib.suppress(Exception):  # a bad LLMENV_LOG_DIR must not stop the crash log: /tmp is next
        folder = log_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if make_private(folder):
            yield folder
    with contextlib.suppress(OSError):
        yield Path(tempfile.mkdtemp(prefix="llmenv-crash-"))


__all__ = ["write_crash_log"]
