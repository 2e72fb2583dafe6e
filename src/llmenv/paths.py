"""Where llmenv writes its own files (logs, caches), with environment overrides for tests and CI."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path
from typing import BinaryIO


def log_dir() -> Path:
    from llmenv.door.environ import env_path

    override = env_path("LLMENV_LOG_DIR")  # the door: UTF-8 text of sane length, or a usage error naming it
    if override is not None:
        return override
    from platformdirs import user_log_path

    return user_log_path("llmenv", appauthor=False)


def new_log(kind: str) -> Path:
    """A new, empty log file, 0600 in a 0700 folder: logs hold argv, paths, index URLs and installer output.

    The file is created here (exclusively, never through a link) so whatever later opens it to append keeps its
    mode. A log folder another user owns or others can write is refused (trust/private.py check_log_folder)."""
    from llmenv.trust.private import check_log_folder

    folder = log_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK):
            raise PermissionError(13, "Permission denied", str(folder))
        check_log_folder(folder)
        make_private(folder)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        return create_private(folder / f"{kind}-{stamp}.log")
    except OSError as exc:
        from llmenv.errors import HostError, os_error_reason, short_path

        reason, _ = os_error_reason(exc)
        raise HostError(
            f"cannot use the log folder {short_path(folder)}: {reason}",
            where="LLMENV_LOG_DIR" if os.environ.get("LLMENV_LOG_DIR") else str(folder),
            fix="set LLMENV_LOG_DIR to a folder you can write to (e.g. export LLMENV_LOG_DIR=$HOME/.llmenv-logs)",
        ) from None


def make_private(folder: Path) -> bool:
    """True when `folder` is a folder of ours that no one else can enter (tightened to 0700 if it was open)."""
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        return False
    if os.name == "posix" and info.st_mode & 0o077:
        os.chmod(folder, 0o700)
    return True


def create_private(path: Path, body: str = "") -> Path:
    """Create `path` 0600 whatever the umask; refuse an existing file or a link planted at its name."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        if os.name == "posix":
            os.fchmod(handle.fileno(), 0o600)
        handle.write(body)
    return path


def write_regular(path: Path, text: str | bytes, append: bool = False) -> None:
    """Write an output file the user named (`--junit`, `-o`, an export's files): opened without blocking and checked
    on the open descriptor, so a FIFO or device put at the name is refused (EINVAL naming it) instead of waiting for a
    reader, and a link or file another user put there first in a folder others can write (like /tmp) is refused
    rather than written through or left theirs to edit (`ForeignOutput`)."""
    import errno

    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= os.O_APPEND if append else 0
    fd = os.open(_own_output_name(path), flags | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        info = os.fstat(fd)
        regular = stat.S_ISREG(info.st_mode)
        if not regular and os.path.realpath(path) != os.devnull:
            raise OSError(errno.EINVAL, "not a regular file (a FIFO, device or socket)", str(path))
        if regular and not _trusted_owner(info.st_uid, os.path.dirname(os.path.realpath(path))):
            raise _foreign(path, info.st_uid, "a file")
        if hasattr(os, "set_blocking"):  # POSIX (Windows has no O_NONBLOCK for files either)
            os.set_blocking(fd, True)
        if regular and not append:
            os.ftruncate(fd, 0)
        handle = os.fdopen(fd, "ab" if append else "wb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        handle.write(text.encode("utf-8") if isinstance(text, str) else text)


def _trusted_owner(uid: int, folder: str) -> bool:
    """An entry at an output name may be used when the invoking user or root made it, or when `folder` is not one
    that others can write (a container's root over a workspace of uid 1001, GitHub's step summary: their folder,
    their files), or when the folder's owner made it: the kernel's protected_symlinks/protected_regular rule, kept
    here where that setting is off (many containers)."""
    if not hasattr(os, "geteuid") or uid in (os.geteuid(), 0):
        return True
    try:
        info = os.stat(folder or ".")
    except OSError:
        return False
    return not info.st_mode & 0o022 or uid == info.st_uid


def _foreign(path: Path, uid: int, what: str) -> OSError:
    import errno

    from llmenv.errors import ForeignOutput

    return ForeignOutput(
        errno.EPERM,
        f"{what} that another user (uid {uid}) put there: llmenv does not write through it or into it, since that "
        "user could point it at any file or change what llmenv wrote",
        str(path),
    )


def _own_output_name(path: Path) -> str:
    """The name to open with O_NOFOLLOW: the path itself, or, when it is a link of the invoking user's or root's,
    where that link points (a link of another user's is refused). A link swapped in after this look is refused by
    O_NOFOLLOW (ELOOP) rather than followed."""
    try:
        info = os.lstat(path)
    except OSError:
        return str(path)
    if not stat.S_ISLNK(info.st_mode):
        return str(path)
    if not _trusted_owner(info.st_uid, os.path.dirname(os.path.abspath(path))):
        raise _foreign(path, info.st_uid, "a link")
    return os.path.realpath(path)


def open_fresh(path: Path) -> BinaryIO:
    """A scratch file beside an output (`name.tmp`, `name.part`) that is later renamed over it: whatever is at the
    name (a stale scratch file, or a link another user put in a shared folder like /tmp) is removed first and the
    file is created new (O_EXCL, no link followed), so nothing is ever written through a link."""
    import contextlib

    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    return os.fdopen(fd, "wb")


def env_python(env: Path) -> Path:
    """The interpreter of a venv at `env` (Scripts\\python.exe on Windows, bin/python elsewhere)."""
    windows = env / "Scripts" / "python.exe"
    return windows if windows.exists() else env / "bin" / "python"


def cache_root() -> Path:
    """llmenv's cache folder (IMDB copies under imdb/, uv's list of Python builds): LLMENV_CACHE_DIR, else the
    platform's cache folder."""
    from llmenv.door.environ import env_path
    from llmenv.trust import require_trusted

    override = env_path("LLMENV_CACHE_DIR")  # the door: UTF-8 text of sane length, or a usage error naming it
    if override is None:
        from platformdirs import user_cache_path

        override = user_cache_path("llmenv", appauthor=False)
    # Unpacked bundles and data are used from here: a folder another user can write (or swap) is refused.
    require_trusted(
        override,
        "llmenv's cache folder (LLMENV_CACHE_DIR)",
        directory=True,
        fix="set LLMENV_CACHE_DIR to a folder only you can write (e.g. under your home), or unset it",
    )
    return override


def managed_python_dir() -> Path:
    """Where llmenv installs managed CPython builds (uv's UV_PYTHON_INSTALL_DIR): llmenv's own data folder, never
    the system's Python or PATH. LLMENV_DATA_DIR overrides the platform's data folder."""
    from llmenv.door.environ import env_path

    override = env_path("LLMENV_DATA_DIR")
    if override is not None:
        return override / "python"
    from platformdirs import user_data_path

    return user_data_path("llmenv", appauthor=False) / "python"


__all__ = [
    "cache_root",
    "create_private",
    "env_python",
    "log_dir",
    "make_private",
    "managed_python_dir",
    "new_log",
    "write_regular",
]
