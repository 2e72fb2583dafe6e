"""One ownership rule for everything that decides what runs (DESIGN.md sections 7d and 8): profiles' locks,
environment stores, caches, unpacked bundles and programs found on PATH.

The rule: the file, and every folder above it, belongs to the invoking user or to root, and neither its group
nor other users can write to it. Two refinements keep ordinary machines working:

- a folder others can write but with the sticky bit (`/tmp`, `/var/tmp`) is passed when the entry below it
  belongs to the invoking user or root: the sticky bit stops others renaming or deleting that entry;
- group write is allowed where the group is the user's private group (same name as the user, no other members:
  the scheme under which a umask of 002 is the default), since nobody else is in it.

The walk is done on open descriptors, not names: each component is opened with O_NOFOLLOW relative to the
descriptor of the folder already checked (`dir_fd=`), and checked with fstat on what was opened, so nothing can be
swapped between the check and the use. A symbolic link on the way is followed only if it belongs to the user or
root (in a folder that passed), and its target is walked by the same rule. Once a path passes, only the user or
root can change anything on it, so using it by name afterwards is safe.

Where there are no POSIX owners (Windows) the rule is a no-op."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from llmenv.errors import UntrustedPath

MAX_LINKS = 40
# uv's lock file at a venv's top (`uv pip install` creates it 0666 on purpose, so any user's uv can wait on it): empty,
# never read by Python, so not a way in.
_SHARED_LOCKS = frozenset({".lock"})  # as the kernel's limit on links followed in one lookup


@dataclass(frozen=True)
class Untrusted:
    """Why a path fails the rule: the component that failed and what is wrong with it (never file content)."""

    path: str
    problem: str

    def sentence(self, what: str) -> str:
        return f"{what} is not safe to use: {self.path} {self.problem}"


def _user(uid: int) -> str:
    try:
        import pwd

        return f"user {pwd.getpwuid(uid).pw_name} (uid {uid})"
    except (ImportError, KeyError):
        return f"uid {uid}"


def _private_group(gid: int, uid: int) -> bool:
    """A user private group: named as the user and with no members besides them."""
    try:
        import grp
        import pwd

        name = pwd.getpwuid(uid).pw_name
        group = grp.getgrgid(gid)
    except (ImportError, KeyError):
        return False
    return group.gr_name == name and set(group.gr_mem) <= {name}


def _judge(info: os.stat_result, me: int) -> str | None:
    """What is wrong with one opened component (owner, write bits), or None. Sticky folders are judged by the
    caller, which knows the entry below."""
    if info.st_uid not in (me, 0):
        runner = "root, who runs llmenv" if me == 0 else f"{_user(me)} (who runs llmenv) or root"
        return f"belongs to {_user(info.st_uid)}, not to {runner}"
    mode = info.st_mode
    if mode & stat.S_IWOTH and not (stat.S_ISDIR(mode) and mode & stat.S_ISVTX):
        return f"can be written by every user (mode {stat.filemode(mode)})"
    if mode & stat.S_IWGRP and not (stat.S_ISDIR(mode) and mode & stat.S_ISVTX) and not _private_group(info.st_gid, me):
        return f"can be written by its group (mode {stat.filemode(mode)})"
    return None


def _sticky_shared(info: os.stat_result) -> bool:
    return stat.S_ISDIR(info.st_mode) and bool(info.st_mode & stat.S_ISVTX) and bool(info.st_mode & 0o022)


def open_trusted(path: Path | str, *, directory: bool = False) -> int:
    """An open descriptor of `path` (a folder with `directory=True`) after the whole chain passed the rule;
    `UntrustedPath` (a ValueError) saying which component failed, or the OSError of a missing or unreadable one.
    The caller closes the descriptor."""
    me = os.geteuid()
    text = os.path.abspath(os.fspath(path))
    fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    try:
        problem = _judge(os.fstat(fd), me)
        if problem:
            raise UntrustedPath(Untrusted("/", problem))
        fd = _walk(fd, "/", [p for p in text.split("/") if p], directory, me, 0)
        return fd
    except BaseException:
        _close(fd)
        raise


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)


def _walk(fd: int, where: str, parts: list[str], directory: bool, me: int, links: int) -> int:
    """Open `parts` one by one below the checked folder `fd` (at `where`); returns the last descriptor. Every
    descriptor but the returned one is closed."""
    while parts:
        name, parts = parts[0], parts[1:]
        last = not parts
        parent_info = os.fstat(fd)
        shown = os.path.join(where, name)
        if name == "..":
            # Up from a checked folder: reopen it by its own path, which was checked on the way down.
            up = os.path.dirname(where.rstrip("/")) or "/"
            _close(fd)
            fd = open_trusted(up, directory=True)
            where = up
            continue
        if name == ".":
            continue
        flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
        if not last or directory:
            flags |= os.O_DIRECTORY
        try:
            child = os.open(name, flags | os.O_NONBLOCK, dir_fd=fd)
        except OSError as exc:
            if exc.errno not in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                raise OSError(exc.errno, exc.strerror, shown) from None
            info = os.lstat(name, dir_fd=fd)
            if not stat.S_ISLNK(info.st_mode):
                raise OSError(exc.errno, exc.strerror, shown) from None
            # A link: trusted only if its owner is (in a sticky folder anyone could have made it).
            if info.st_uid not in (me, 0):
                raise UntrustedPath(Untrusted(shown, f"is a link that belongs to {_user(info.st_uid)}")) from None
            if links >= MAX_LINKS:
                raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), shown) from None
            target = os.readlink(name, dir_fd=fd)
            rest = [p for p in target.split("/") if p] + parts
            if target.startswith("/"):
                _close(fd)
                fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
                where = "/"
            return _walk(fd, where, rest, directory, me, links + 1)
        _close(fd)
        fd = child
        info = os.fstat(fd)
        special = last and not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode))
        problem = None if special else _judge(info, me)  # a FIFO or device: the caller refuses it as such
        if problem is None and _sticky_shared(parent_info) and info.st_uid not in (me, 0):
            problem = f"belongs to {_user(info.st_uid)} in the shared folder {where}"
        if problem:
            raise UntrustedPath(Untrusted(shown, problem))
        if not last and not stat.S_ISDIR(info.st_mode):
            raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), shown)
        if stat.S_ISREG(info.st_mode):
            os.set_blocking(fd, True)
        where = shown
    return fd


def untrusted(path: Path | str, *, directory: bool = False) -> Untrusted | None:
    """Why `path` fails the rule, or None when it passes (or does not exist: nothing to run from it)."""
    if not hasattr(os, "geteuid"):
        return None
    try:
        fd = open_trusted(path, directory=directory)
    except UntrustedPath as exc:
        found: Untrusted = exc.found
        return found
    except FileNotFoundError:
        # Nothing there yet: what llmenv would create there is only as safe as the nearest folder that exists.
        parent = os.path.dirname(os.path.abspath(os.fspath(path)))
        return untrusted(parent, directory=True) if parent != os.path.abspath(os.fspath(path)) else None
    except OSError:
        return None
    _close(fd)
    return None


def require_trusted(path: Path | str, what: str, *, directory: bool = False, fix: str | None = None) -> None:
    """Raise `UnsafeStoreError` (exit 5) naming `what` and the component that failed, when `path` fails the rule."""
    found = untrusted(path, directory=directory)
    if found is None:
        return
    from llmenv.errors import UnsafeStoreError

    raise UnsafeStoreError(
        f"{found.sentence(what)}. Another user could change what llmenv runs from it, and it would run as "
        f"{_user(os.geteuid())}",
        where=str(path),
        fix=fix
        or "use a path in a folder only you (or root) can write, such as under your home; or, if you own it, "
        f"take write access away from others: `chmod go-w {_quote(found.path)}`",
    )


NOT_RUN = " is not run: "  # in every refusal below: a probe's error holding it failed on PATH, not on the program


def program_refusal(program: str, path_value: str | None) -> str | None:
    """Why `program` (a path, or a name looked up on `path_value` as exec does: the first executable match wins)
    must not be run, or None. Found through an empty or relative PATH entry means found in whatever folder llmenv
    was started from: refused whoever owns it, since the working folder changes with every `cd`."""
    if not hasattr(os, "geteuid"):
        return None
    if os.sep in program:
        found = untrusted(program)
        return f"{program}{NOT_RUN}{found.path} {found.problem}" if found else None
    for entry in (path_value if path_value is not None else os.defpath).split(os.pathsep):
        candidate = os.path.join(entry or ".", program)
        if not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
            continue
        if not os.path.isabs(entry):
            shown = "an empty PATH entry" if not entry else f"the relative PATH entry {entry!r}"
            return f"{program}{NOT_RUN}it was found in the working folder through {shown}"
        found = untrusted(candidate)
        return f"{candidate}{NOT_RUN}{found.path} {found.problem}" if found else None
    return None


def untrusted_path_entries(path_value: str) -> tuple[tuple[str, str], ...]:
    """(entry, what is wrong) for each absolute PATH folder that fails the rule: nothing found there is run."""
    out = []
    for entry in dict.fromkeys(e for e in path_value.split(os.pathsep) if e and os.path.isabs(e)):
        found = untrusted(entry, directory=True)
        if found is not None:
            out.append((entry, f"{found.path} {found.problem}"))
    return tuple(out)


def writable_by_others(root: Path | str, limit: int = 5) -> tuple[list[str], int]:
    """(the first `limit` paths, how many) under `root`, links not followed, that their group or other users can
    write: in an environment, any of them lets another user add a `.pth` or replace a module that then runs as
    whoever uses the env. Strict (no private-group exception): llmenv creates envs with no such bit."""
    found: list[str] = []
    count = 0
    stack = [os.fspath(root)]
    stack_root = stack[0]
    try:
        if os.lstat(stack[0]).st_mode & 0o022:
            found.append(stack[0])
            count += 1
    except OSError:
        return [], 0
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISLNK(info.st_mode) or (folder == stack_root and entry.name in _SHARED_LOCKS):
                continue
            if info.st_mode & 0o022:
                count += 1
                if len(found) < limit:
                    found.append(entry.path)
            if stat.S_ISDIR(info.st_mode):
                stack.append(entry.path)
    return found, count


def require_private_env(env: Path | str) -> None:
    """Before llmenv runs an env's Python (doctor --env, smoke): nothing in it may be writable by group or others,
    or `UnsafeStoreError` (exit 5) naming the first paths."""
    if not hasattr(os, "geteuid"):
        return
    target = os.path.realpath(env)
    paths, count = writable_by_others(target)
    if not count:
        return
    from llmenv.errors import UnsafeStoreError

    shown = ", ".join(paths) + (f" and {count - len(paths)} more" if count > len(paths) else "")
    raise UnsafeStoreError(
        f"refusing to run the environment {env}: {count} path{'s' if count != 1 else ''} in it can be written by its "
        f"group or by every user ({shown}), so another user could have added a .pth file or a module that would "
        f"run as {_user(os.geteuid())}",
        where=str(env),
        fix=f"rebuild it with private modes: `llmenv setup --env {_quote(str(env))} --force` (or, if nobody else "
        f"could have changed it, `chmod -R go-w {_quote(target)}`)",
    )


def require_env_folder(env: Path | str) -> None:
    """The folder that holds an environment (and its store), by the rule: exit 5 naming what failed."""
    require_trusted(
        os.path.dirname(os.path.abspath(os.fspath(env))),
        "the folder that holds the environment",
        directory=True,
        fix="put the environment in a folder only you (or root) can write, such as under your home (--env)",
    )


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


__all__ = [
    "NOT_RUN",
    "Untrusted",
    "UntrustedPath",
    "open_trusted",
    "program_refusal",
    "require_env_folder",
    "require_private_env",
    "require_trusted",
    "untrusted",
    "untrusted_path_entries",
    "writable_by_others",
]
