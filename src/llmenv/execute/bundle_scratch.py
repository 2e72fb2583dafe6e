"""Where a bundle is unpacked, and how the unpacked copy is shared: one llmenv cache may serve several setups at
once (two terminals, or every node of a cluster sharing a home folder).

- Scratch: each run unpacks into its own folder, `.{digest}.{host}.{pid}.{random}.tmp`, made by `mkdtemp` (an
  exclusive mkdir with a random part, mode 0700), so no two runs on any hosts share or clash on one name.
- Publish: the verified scratch is renamed, in one atomic rename, to `{digest}` (content-addressed: the digest of
  the manifest, which lists every member's sha256). A published folder is never deleted by setup while it may be
  in use: when one is there and still matches the manifest, it is reused and this run's scratch is dropped. Only a
  published folder that no longer matches (damaged on disk) is moved aside; that happens under a file lock per
  digest, so two runs never both judge and replace it.
- Stale scratch (a run killed mid-unpack) is removed only when llmenv made it (the marker file inside, this user
  owns it) and its owner is gone: on this host, its process is dead; from another host (whose processes cannot be
  seen from here), it is older than `STALE_AFTER_S`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MARKER = ".llmenv-bundle"
STALE_AFTER_S = 24 * 3600.0  # no unpacking takes a day; a younger scratch from another host may still be written
LOCK_TIMEOUT_S = 600.0  # the lock is held for a rename or a re-hash of one published folder, never for an install
_DIGEST = re.compile(r"[0-9a-f]{16}")
_HOST_CHARS = re.compile(r"[^A-Za-z0-9-]+")


def host_label(name: str | None = None) -> str:
    """This host's name as it can appear inside a file name: letters, digits and `-` only, at most 63 characters,
    never empty (dots would split the scratch name)."""
    raw = socket.gethostname() if name is None else name
    return _HOST_CHARS.sub("-", raw)[:63].strip("-") or "host"


@dataclass(frozen=True)
class ScratchName:
    digest: str
    host: str
    pid: int
    nonce: str

    @classmethod
    def parse(cls, name: str) -> ScratchName | None:
        """The parts of a scratch folder's name; None for any other name (llmenv never touches those)."""
        parts = name.split(".")
        if len(parts) == 4:  # `.{digest}.{pid}.tmp`, from llmenv before the host was named: judged by age
            parts = ["", parts[1], "", parts[2], "-", parts[3]]
        if len(parts) != 6 or parts[0] or parts[5] != "tmp" or not _DIGEST.fullmatch(parts[1]):
            return None
        digest, host, pid, nonce = parts[1:5]
        if (host and host != host_label(host)) or not pid.isdigit() or not nonce:
            return None
        return cls(digest, host, int(pid), nonce)


def new_scratch(root: Path, digest: str, bundle: Path) -> Path:
    """A fresh, empty scratch folder only this run uses, with llmenv's marker inside."""
    prefix = f".{digest}.{host_label()}.{os.getpid()}."
    scratch = Path(tempfile.mkdtemp(prefix=prefix, suffix=".tmp", dir=root))  # O_EXCL mkdir, random part
    try:
        (scratch / MARKER).write_text(str(bundle), encoding="utf-8", errors="backslashreplace")
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return scratch


def remove_scratch(scratch: Path | None) -> None:
    if scratch is not None and (scratch / MARKER).is_file():
        shutil.rmtree(scratch, ignore_errors=True)


def is_stale(name: ScratchName, age_s: float, host: str | None = None, alive: object = None) -> bool:
    """Whether the owner of a scratch folder is gone: same host and its process is dead, or another host's and
    older than a day. `alive` (a pid -> bool function) defaults to asking the kernel."""
    check = alive if callable(alive) else pid_alive
    if name.host == (host if host is not None else host_label()):
        return not check(name.pid)
    return age_s > STALE_AFTER_S


def remove_stale_scratch(root: Path, now: float | None = None) -> list[Path]:
    """Scratch folders of earlier runs that were killed: llmenv's (marker, this user's) and their owner gone."""
    removed: list[Path] = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    moment = time.time() if now is None else now
    for entry in entries:
        name = ScratchName.parse(entry.name)
        if name is None:
            continue
        try:
            info = entry.lstat()
            ours = entry.is_dir() and not entry.is_symlink() and (entry / MARKER).is_file()
        except OSError:
            continue
        if not ours or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
            continue
        if is_stale(name, moment - info.st_mtime):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # stale scratch is cleared before this run makes its own: ours is from an earlier process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def matches(folder: Path, members: Mapping[str, Mapping[str, Any]]) -> bool:
    """A published folder still holds every member with its size and sha256, and nothing else (a wheel added to
    `wheels/` would be installable); read only, nothing is changed."""
    if not (folder / MARKER).is_file() or folder.is_symlink():
        return False
    try:
        held = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir() or p.is_symlink()}
    except OSError:
        return False
    if held != {*members, MARKER}:
        return False
    for name, want in members.items():
        path = folder / name
        try:
            if path.is_symlink() or path.stat().st_size != want["size"] or _sha256(path) != want["sha256"]:
                return False
        except OSError:
            return False
    return True


def publish_file(source: Path, folder: Path, name: str) -> Path:
    """Copy a file into a folder other setups may read at the same moment (a bundle's smoke data in llmenv's
    cache): written under a unique scratch name, then renamed over `name` in one step, so a reader sees the old
    file or the new one, never a half-written one. A file already there with the same bytes is left alone."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if target.is_file() and not target.is_symlink() and _sha256(target) == _sha256(source):
        return target
    handle, tmp = tempfile.mkstemp(prefix=f".{name}.{host_label()}.{os.getpid()}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out, source.open("rb") as data:
            shutil.copyfileobj(data, out, 1 << 20)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            sha.update(block)
    return sha.hexdigest()


@contextmanager
def digest_lock(root: Path, digest: str) -> Iterator[None]:
    """One lock per bundle digest, held while a published folder is judged and (re)placed."""
    from filelock import FileLock, Timeout

    from llmenv.errors import LockTimeout
    from llmenv.trust.private import check_private

    path = root / f".{digest}.lock"
    check_private(path, "the bundle cache's lock file")
    lock = FileLock(str(path), mode=0o600)
    try:
        lock.acquire(timeout=LOCK_TIMEOUT_S)
    except Timeout:
        raise LockTimeout(
            f"another llmenv setup held the lock on {root / digest} for {LOCK_TIMEOUT_S:.0f} s",
            where=str(path),
            fix="wait for the other setup from this bundle to finish, then run this one again",
        ) from None
    try:
        yield
    finally:
        lock.release()


def publish(scratch: Path, root: Path, digest: str, members: Mapping[str, Mapping[str, Any]]) -> Path:
    """Move the verified scratch to `root/digest`, or reuse a published copy that still matches (then the scratch
    is removed). A published folder is replaced only when it no longer matches the manifest."""
    final = root / digest
    with digest_lock(root, digest):
        if final.exists() or final.is_symlink():
            if matches(final, members):
                remove_scratch(scratch)
                return final
            if not (final / MARKER).is_file() or final.is_symlink():
                from llmenv.errors import BundleError

                raise BundleError(
                    f"{final} is in the way of the unpacked bundle and llmenv did not make it",
                    where=str(final),
                    fix=f"move {final} away (llmenv does not delete what it did not make), then run setup again",
                )
            aside = root / f".{digest}.{host_label()}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
            os.replace(final, aside)  # damaged: out of the way in one rename, then removed
            shutil.rmtree(aside, ignore_errors=True)
        os.replace(scratch, final)
    return final


__all__ = [
    "MARKER",
    "STALE_AFTER_S",
    "ScratchName",
    "host_label",
    "is_stale",
    "matches",
    "new_scratch",
    "pid_alive",
    "publish",
    "publish_file",
    "remove_scratch",
    "remove_stale_scratch",
]
