"""Bug reports: the traceback goes to a file, the user gets its path."""

from __future__ import annotations

import datetime as dt
import platform
import sys
import tempfile
import traceback
from pathlib import Path

from llmenv import __version__
from llmenv.paths import log_dir
from llmenv.redact import redact_text


def write_crash_log(exc: BaseException, argv: list[str]) -> Path:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    body = redact_text(
        f"llmenv {__version__} on Python {sys.version.split()[0]} ({platform.platform()})\n"
        f"argv: {argv!r}\n\n" + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    )
    for folder in (log_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"crash-{stamp}.log"
            path.write_text(body, encoding="utf-8")
            return path
        except OSError:
            continue
    return Path("<unwritable>")


__all__ = ["write_crash_log"]
