"""Who may have written a folder llmenv keeps its own files in (a store, generation, lock, stamp or log folder on a
shared disk): another user's, or one others can write, is refused. The read-only half of the ownership rule that
`llmenv.trust` applies to what decides what runs; taking write bits off what llmenv made is execute/privacy.py's."""

from __future__ import annotations

import os
from pathlib import Path

from llmenv.errors import UnsafeStoreError
from llmenv.trust import _quote, _user


def check_private(
    path: Path, what: str, group_may_write: bool = False, instead: str = "use an --env in a folder only you can write"
) -> None:
    """Refuse `path` if it exists and belongs to another user, or (unless a symbolic link, whose mode means
    nothing) group or others can write to it. A no-op where there are no POSIX owners (Windows).

    `group_may_write` is for folders llmenv does not create itself (the log folder under a umask of 002); `instead`:
    the way out for this kind of path (an --env elsewhere; for the log folder, another LLMENV_LOG_DIR)."""
    import stat

    if not hasattr(os, "geteuid"):
        return
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    me = os.geteuid()
    problems = []
    if info.st_uid != me:
        problems.append(f"it belongs to {_user(info.st_uid)}, not to {_user(me)}, who runs llmenv")
    writable = info.st_mode & (0o002 if group_may_write else 0o022) if not stat.S_ISLNK(info.st_mode) else 0
    if writable:
        who = " and ".join(w for w, bit in (("its group", 0o020), ("every user", 0o002)) if writable & bit)
        problems.append(f"{who} can write to it (mode {stat.filemode(info.st_mode)})")
    if not problems:
        return
    quoted = _quote(str(path))
    if info.st_uid != me:
        fix = (
            f"do not use it: another user may have put their own programs there. Check who made it "
            f"(`ls -la {quoted}`), then {instead} (under your home), "
            f"or remove it as that folder's owner"
        )
    else:
        fix = f"if nobody else changed it, make it yours alone: `chmod -R go-w {quoted}`; then re-run"
    raise UnsafeStoreError(
        f"refusing to use {what} {path}: {'; '.join(problems)}. Another user could replace what llmenv would "
        f"run there, and it would run as {_user(me)}",
        where=str(path),
        fix=fix,
    )


def check_log_folder(folder: Path) -> None:
    """The log folder (LLMENV_LOG_DIR, else the platform's): another user's is refused like a store, and the way
    out named is another log folder, not another --env."""
    instead = "set LLMENV_LOG_DIR to a folder only you can write, or unset it"
    check_private(folder, "the log folder", group_may_write=True, instead=instead)


__all__ = ["check_log_folder", "check_private"]
