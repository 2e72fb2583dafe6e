"""Who may have written a path: llmenv runs nothing from, and trusts nothing in, what another user owns or can
write (a store, generation, lock, stamp or log folder on a shared disk), and takes group/other write off what it
creates itself, so a umask of 002 cannot open it up."""

from __future__ import annotations

import os
from pathlib import Path

from llmenv.errors import UnsafeStoreError


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
    quoted = shlex_quote(str(path))
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


def strip_others_write(path: Path) -> bool:
    """Remove group and other write from something llmenv just created (a umask such as 002 leaves them); whether
    it had any."""
    import stat

    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISLNK(info.st_mode) and info.st_mode & 0o022:
        os.chmod(path, stat.S_IMODE(info.st_mode) & ~0o022)
        return True
    return False


def strip_tree(root: Path) -> int:
    """Take group and other write off everything under `root` (links left alone): an env's files get explicit
    modes whatever the umask the installers ran under. Returns how many were changed."""
    changed = 0
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            changed += strip_others_write(Path(folder, name))
    strip_others_write(root)
    return changed


def _user(uid: int) -> str:
    try:
        import pwd

        return f"user {pwd.getpwuid(uid).pw_name} (uid {uid})"
    except (ImportError, KeyError):
        return f"uid {uid}"


def shlex_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


__all__ = ["check_log_folder", "check_private", "shlex_quote", "strip_others_write", "strip_tree"]
