"""Output paths given on the command line (`-o`, `--junit`, `--output-dir`), checked before any work is done.

A folder, a missing parent or a read-only place is a usage error naming the option, found in milliseconds rather
than after a 10-second doctor run, and never a traceback."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from llmenv.errors import LlmenvError, UsageError, output_error


def _refuse(code: int, path: Path, option: str) -> LlmenvError:
    return output_error(OSError(code, os.strerror(code), str(path)), path, option)


def check_output_file(path: Path | None, option: str) -> Path | None:
    """The file may exist (it is replaced) but must not be a folder or be read-only; missing folders on the way are
    created when it is written (`-o docker/Dockerfile` makes docker/, as `--junit reports/x.xml` does), so only a
    path under a file or in a folder that cannot be written is refused, before any work is done."""
    if path is None:
        return None
    if path.is_dir():
        raise _refuse(errno.EISDIR, path, option)
    if path.exists() and not path.is_file() and os.path.realpath(path) != os.devnull:
        from llmenv.door.files import kind_of_mode

        # A FIFO would block the write until a reader comes; a device or socket is not a report file.
        raise UsageError(
            f"cannot write {path}: it is {kind_of_mode(path.stat().st_mode)}, not a regular file",
            where=option,
            fix=f"give a regular file's path (or {os.devnull}) for {option}",
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise _refuse(_write_refusal(path.parent), path, option)
    check_output_dir(path.parent if str(path.parent) else Path("."), option)
    return path


def check_output_dir(path: Path | None, option: str) -> Path | None:
    """The folder may be missing (it is created) but must not be a file or sit under one."""
    if path is None:
        return None
    existing = next((p for p in [path, *path.parents] if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise _refuse(errno.ENOTDIR, path, option)
    if existing is not None and not os.access(existing, os.W_OK):
        raise _refuse(_write_refusal(existing), path, option)
    return path


def write_output(path: Path, text: str, option: str) -> None:
    try:
        from llmenv.sink import write_text

        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, text)
    except OSError as exc:
        raise output_error(exc, path, option) from None


def _write_refusal(folder: Path) -> int:
    """EROFS when the folder is on a read-only mount (os.access cannot tell), else EACCES."""
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return errno.EROFS
    except (OSError, AttributeError):
        pass
    return errno.EACCES


__all__ = ["check_output_dir", "check_output_file", "write_output"]
