"""Files from outside: regular or refused, bounded by kind, strict UTF-8, errors that never quote the content.

Opened with O_NONBLOCK (and O_NOCTTY) and judged by `fstat` on the open descriptor, so a FIFO swapped in after a
check cannot make the read wait for a writer that never comes, and `/dev/zero` cannot fill memory.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from llmenv.errors import InputError, os_error_reason, short_path

KIB, MIB = 1024, 1024 * 1024


@dataclass(frozen=True)
class Kind:
    """One kind of input file: what to call it in a message, its size bound, and what to do about a bad one."""

    name: str
    limit: int
    fix: str
    decides_what_runs: bool = False  # opened by llmenv.trust's ownership rule (another user's copy is refused)
    trust_fix: str = (  # the fix for a file of this kind that fails the ownership rule
        "keep it in a folder only you (or root) can write, such as your project under your home; if you made it, "
        "take others' write access away (`chmod go-w` on the folder named)"
    )


# The bounds are far above any real file of the kind, and far below what a hostile file could cost.
PROFILE = Kind("profile", MIB, "give the path of a YAML profile file (plain UTF-8 text, at most 1 MiB)", True)
MIRRORS = Kind("mirror sets file", MIB, "fix or remove the file (see docs/mirrors.md for its format)", True)
LOCK = Kind("lock file", 8 * MIB, "make the lock again with `llmenv lock PROFILE`, or delete it", True)
MANIFEST = Kind("bundle manifest", 16 * MIB, "copy the bundle again from where it was made, or make a new one")
STAMP = Kind("env stamp", MIB, "run `llmenv setup` again (it rewrites the stamp), or `--force`")
REPORT = Kind("doctor report", 16 * MIB, "pass files written by `llmenv doctor --json`")
ANSWER = Kind("program's answer", 16 * MIB, "check the program that answered (a python3 on PATH?)")
PIP_CONFIG = Kind("pip configuration file", MIB, "fix or remove the file (`pip config debug` lists them)")
CACHE = Kind("cache entry", MIB, "delete the cache entry; llmenv makes it again")
# A bundle decides what runs (its wheels, its lock, its uv and Python): the same ownership rule as a profile.
BUNDLE = Kind(
    "bundle",
    1 << 62,
    "give the path of a bundle file made by `llmenv bundle PROFILE -o FILE`",
    True,
    "copy the bundle into a folder you own (`cp BUNDLE ~/`), check it against where it was made (`sha256sum`), "
    "and pass the copy to --bundle",
)


def kind_of_mode(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISDIR, "a folder"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a plain file"


def _refusal(path: Path | str, kind: Kind, what: str) -> InputError:
    return InputError(what, file=short_path(path), fix=kind.fix)


def open_regular(path: Path | str, kind: Kind) -> BinaryIO:
    """An open binary handle on a regular file within the kind's size bound; anything else is an InputError."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = _open_owned(path, kind) if kind.decides_what_runs else os.open(path, flags)
    except OSError as exc:
        reason, _ = os_error_reason(exc)
        if exc.errno == errno.ENOENT:
            reason = "no such file"
        elif exc.errno in (errno.ENXIO, errno.EOPNOTSUPP):  # a socket, or a device with nothing behind it
            raise _refusal(path, kind, f"the {kind.name} is a socket or device, not a regular file") from None
        raise _refusal(path, kind, f"cannot read the {kind.name}: {reason}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _refusal(path, kind, f"the {kind.name} is {kind_of_mode(info.st_mode)}, not a regular file")
        if info.st_size > kind.limit:
            raise _refusal(
                path, kind, f"the {kind.name} is {info.st_size:,} bytes: too large for one (limit {kind.limit:,})"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file never blocks; buffered reads want a blocking descriptor
        handle = os.fdopen(fd, "rb", closefd=True)
    except BaseException:
        os.close(fd)
        raise
    return handle


def _open_owned(path: Path | str, kind: Kind) -> int:
    """The descriptor `llmenv.trust` checked: the file and every folder above it are the user's or root's and
    nobody else can write them, or UnsafeStoreError (exit 5) naming the component."""
    from llmenv.errors import UnsafeStoreError, UntrustedPath
    from llmenv.trust import open_trusted

    if not hasattr(os, "geteuid"):
        return os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        return open_trusted(path)
    except UntrustedPath as exc:
        raise UnsafeStoreError(
            f"refusing the {kind.name} {short_path(path)}: {exc.found.path} {exc.found.problem}. Another user could "
            "change what llmenv installs or runs from it",
            where=short_path(path),
            fix=kind.trust_fix,
        ) from None


def read_bytes(path: Path | str, kind: Kind) -> bytes:
    """The whole file, refused when it is not a regular file or grows past the bound while being read."""
    with open_regular(path, kind) as handle:
        try:
            data = handle.read(kind.limit + 1)
        except OSError as exc:
            reason, _ = os_error_reason(exc)
            raise _refusal(path, kind, f"cannot read the {kind.name}: {reason}") from None
    if len(data) > kind.limit:
        raise _refusal(path, kind, f"the {kind.name} is larger than {kind.limit:,} bytes: too large for one")
    return data


def decode(data: bytes, source: str, kind: Kind) -> str:
    """Strict UTF-8, located by line and byte offset; the bad byte is named by its value, no text is quoted."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"the {kind.name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            file=short_path(source),
            line=line,
            fix=f"save it as UTF-8; {kind.fix}",
        ) from None


def read_text(path: Path | str, kind: Kind) -> str:
    return decode(read_bytes(path, kind), str(path), kind)


def read_text_if_present(path: Path | str, kind: Kind) -> str | None:
    """None when nothing is at `path` (not even a dangling link); otherwise as `read_text`."""
    if not os.path.lexists(path):
        return None
    return read_text(path, kind)


__all__ = [
    "ANSWER",
    "BUNDLE",
    "CACHE",
    "LOCK",
    "MANIFEST",
    "MIRRORS",
    "PIP_CONFIG",
    "PROFILE",
    "REPORT",
    "STAMP",
    "Kind",
    "decode",
    "kind_of_mode",
    "open_regular",
    "read_bytes",
    "read_text",
    "read_text_if_present",
]
