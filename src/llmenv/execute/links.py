"""The env link: a symbolic link, or on Windows without the right to make one, a directory junction.

Why: `.venv` points at the current generation (execute/store.py). On Windows `os.symlink` needs Developer Mode or
administrator rights; without them it raises WinError 1314 (ERROR_PRIVILEGE_NOT_HELD), and setup had no way on.
A directory junction needs no privilege (`_winapi.CreateJunction`, in CPython on Windows since 3.5) and works for
the same purpose: a folder path that leads to another folder on the same machine. It takes an absolute target
(a relative junction does not exist), so a store moved elsewhere needs `setup` again to re-link.

Swapping differs too: POSIX renames a new link over the old one in one atomic step; Windows cannot rename over an
existing directory (a junction or directory link is one), so there the old link is removed and the new one renamed
into place: two steps, a moment without `.venv` in between. A crash in that moment leaves the generations intact
and no link; the next `setup` builds and links again.

What has run where: everything here runs on Linux in the tests, the Windows calls simulated (`os.name`, WinError
1314, `_winapi.CreateJunction`); none of it has run on a real Windows machine (docs/setup.md says so).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

ERROR_PRIVILEGE_NOT_HELD = 1314  # WinError for os.symlink without Developer Mode or admin rights
IO_REPARSE_TAG_MOUNT_POINT = getattr(stat, "IO_REPARSE_TAG_MOUNT_POINT", 0xA0000003)


def on_windows() -> bool:
    return os.name == "nt"


def is_junction(path: Path, lstat: Callable[[Path], Any] = os.lstat) -> bool:
    """A Windows directory junction (Python < 3.12 has no Path.is_junction, and is_symlink() is False for one)."""
    try:
        return getattr(lstat(path), "st_reparse_tag", 0) == IO_REPARSE_TAG_MOUNT_POINT
    except OSError:
        return False


def is_link(path: Path) -> bool:
    """The env link as llmenv makes it: a symbolic link, or (Windows) a junction."""
    return path.is_symlink() or (on_windows() and is_junction(path))


def make_link(target: Path, link: Path, final: Path | None = None) -> str:
    """Make `link` lead to the folder `target`: a symbolic link relative to where it will end up (`final`, the
    env path it is renamed to; default: `link` itself) ("symlink"); on Windows without the privilege for one, an
    absolute directory junction ("junction")."""
    try:
        os.symlink(os.path.relpath(target, (final or link).parent), link, target_is_directory=True)
        return "symlink"
    except OSError as exc:
        if not (on_windows() and getattr(exc, "winerror", None) == ERROR_PRIVILEGE_NOT_HELD):
            raise
    import importlib

    winapi: Any = importlib.import_module("_winapi")  # CPython on Windows only (typeshed types it for win32 alone)
    winapi.CreateJunction(os.path.abspath(target), os.path.abspath(link))
    return "junction"


def _remove_directory_link(path: Path) -> None:
    """Windows: rmdir removes a junction or directory link itself, never what it leads to."""
    os.rmdir(path)


def replace_link(new: Path, env: Path) -> None:
    """Put the link `new` at `env`, replacing the link there (see the module's note on Windows)."""
    if not on_windows():
        os.replace(new, env)
        return
    if is_link(env):
        _remove_directory_link(env)
    os.rename(new, env)


def remove_link(path: Path) -> None:
    """Remove a stray link llmenv made (a `.link-PID` left by a killed run)."""
    if on_windows() and is_junction(path):
        _remove_directory_link(path)
    else:
        path.unlink(missing_ok=True)


__all__ = ["ERROR_PRIVILEGE_NOT_HELD", "is_junction", "is_link", "make_link", "remove_link", "replace_link"]
