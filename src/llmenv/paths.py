"""Where llmenv writes its own files (logs, caches), with environment overrides for tests and CI."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path


def log_dir() -> Path:
    override = os.environ.get("LLMENV_LOG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_log_path

    return user_log_path("llmenv", appauthor=False)


def new_log(kind: str) -> Path:
    folder = log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise PermissionError(13, "Permission denied", str(folder))
    except OSError as exc:
        from llmenv.errors import HostError, os_error_reason, short_path

        reason, _ = os_error_reason(exc)
        raise HostError(
            f"cannot use the log folder {short_path(folder)}: {reason}",
            where="LLMENV_LOG_DIR" if os.environ.get("LLMENV_LOG_DIR") else str(folder),
            fix="set LLMENV_LOG_DIR to a folder you can write to (e.g. export LLMENV_LOG_DIR=$HOME/.llmenv-logs)",
        ) from None
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    return folder / f"{kind}-{stamp}.log"


def managed_python_dir() -> Path:
    """Where llmenv installs managed CPython builds (uv's UV_PYTHON_INSTALL_DIR): llmenv's own data folder, never
    the system's Python or PATH. LLMENV_DATA_DIR overrides the platform's data folder."""
    override = os.environ.get("LLMENV_DATA_DIR")
    if override:
        return Path(override) / "python"
    from platformdirs import user_data_path

    return user_data_path("llmenv", appauthor=False) / "python"


__all__ = ["log_dir", "managed_python_dir", "new_log"]
