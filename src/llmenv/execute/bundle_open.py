"""Opening a bundle: every member checked against the manifest before anything is installed.

The bundle comes in through the door (a regular file, opened without blocking), its manifest is bounded (16 MiB,
checked in the tar header before a byte is read) and typed. A member is written only when the manifest lists it
under its canonical name with the size the tar header states, and never past that size; its sha256 is computed
while it is written into a fresh scratch folder llmenv creates and marks, unique to this run on any host. Only
when every member matches and nothing is missing is the folder published under its content-addressed name (or an
already published copy that still matches is reused: setups sharing one cache never remove each other's; see
execute/bundle_scratch.py). On any other way out (a refusal, a full disk, Ctrl-C) the scratch folder is removed,
and scratch left by a killed run is removed by the next one once its owner is gone.
"""

from __future__ import annotations

import errno
import hashlib
import json
import tarfile
from pathlib import Path
from typing import IO

from llmenv.errors import BundleError, FileSystemError, InputError, file_system_error
from llmenv.execute.bundle_scratch import MARKER, new_scratch, publish, remove_scratch, remove_stale_scratch
from llmenv.plan.bundle import MANIFEST, SUMS, Manifest, problems, safe_member, sums_text

_FIX = (
    "copy the bundle again from where it was made (compare its sha256), or make a new one with "
    "`llmenv bundle PROFILE -o FILE`"
)


def _refuse(bundle: Path, what: str, scratch: Path | None) -> BundleError:
    remove_scratch(scratch)
    return BundleError(f"bundle {bundle} refused: {what}; nothing was installed", where=str(bundle), fix=_FIX)


def _read_manifest(bundle: Path, archive: tarfile.TarFile) -> tuple[tarfile.TarInfo, Manifest]:
    from llmenv.door import files
    from llmenv.door.jsondoc import parse_json

    head = archive.next()
    if head is None or head.name != MANIFEST or not head.isfile():
        raise _refuse(bundle, f"its first member is not {MANIFEST}", None)
    if head.size > files.MANIFEST.limit:
        raise _refuse(bundle, f"its {MANIFEST} is {head.size:,} bytes (at most {files.MANIFEST.limit:,})", None)
    handle = archive.extractfile(head)
    data = handle.read(files.MANIFEST.limit + 1) if handle else b""
    where = f"{bundle}!{MANIFEST}"
    try:
        raw = parse_json(files.decode(data, where, files.MANIFEST), where, files.MANIFEST)
        return head, Manifest.from_dict(raw, where)
    except InputError as exc:
        raise _refuse(bundle, f"its manifest cannot be used ({exc.where}: {exc.what})", None) from None


def open_bundle(bundle: Path, root: Path) -> tuple[Manifest, Path]:
    """(manifest, folder holding the verified members). Raises BundleError (exit 2) on any mismatch, a
    FileSystemError (exit 3) when the disk is full or read-only."""
    from llmenv.door.files import BUNDLE, open_regular

    try:
        handle = open_regular(bundle, BUNDLE)
    except InputError as exc:
        raise _refuse(bundle, exc.what, None) from None
    with handle:
        try:
            archive = tarfile.open(fileobj=handle, mode="r:*")  # noqa: SIM115 (closed by the `with` below)
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise _refuse(bundle, f"it is not a readable bundle ({type(exc).__name__})", None) from None
        with archive:
            try:
                head, manifest = _read_manifest(bundle, archive)
            except (OSError, tarfile.TarError, EOFError) as exc:
                raise _refuse(bundle, f"its manifest cannot be read ({type(exc).__name__})", None) from None
            return _unpack(bundle, archive, head, manifest, root)


def _unpack(
    bundle: Path, archive: tarfile.TarFile, head: tarfile.TarInfo, manifest: Manifest, root: Path
) -> tuple[Manifest, Path]:
    digest = hashlib.sha256(json.dumps(manifest.to_dict(), sort_keys=True).encode()).hexdigest()[:16]
    scratch: Path | None = None
    try:
        root.mkdir(parents=True, exist_ok=True)
        remove_stale_scratch(root)
        scratch = new_scratch(root, digest, bundle)  # this run's alone, whatever runs beside it on any host
        seen = _members(bundle, archive, head, manifest, scratch)
        wrong = problems(manifest, seen)
        if wrong:
            listed = "; ".join(wrong[:5]) + (f"; and {len(wrong) - 5} more" if len(wrong) > 5 else "")
            raise _refuse(bundle, f"member {listed}", scratch)
        # Published by one atomic rename; a published copy that still matches is reused, never deleted (another
        # setup may be installing from it).
        return manifest, publish(scratch, root, digest, manifest.members)
    except BaseException as exc:  # every way out, Ctrl-C included, leaves no scratch behind
        remove_scratch(scratch)
        if isinstance(exc, OSError) and not isinstance(exc, FileSystemError):
            raise _disk_error(exc, bundle) from None
        raise


def _disk_error(exc: OSError, bundle: Path) -> FileSystemError | BundleError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM):
        return file_system_error(exc, "unpack the bundle into", where=str(bundle))
    return BundleError(
        f"bundle {bundle} refused: it is truncated or damaged ({type(exc).__name__}); nothing was installed",
        where=str(bundle),
        fix=_FIX,
    )


def _members(
    bundle: Path, archive: tarfile.TarFile, head: tarfile.TarInfo, manifest: Manifest, scratch: Path
) -> dict[str, tuple[str, int]]:
    seen: dict[str, tuple[str, int]] = {}
    try:
        for member in archive:
            if member is head:
                continue  # iteration starts over at the manifest, already read
            if member.name == SUMS and member.isfile() and SUMS not in seen:
                # Must say exactly what the manifest says, so the shell bootstrap checks the same hashes.
                sums = archive.extractfile(member)
                limit = len(sums_text(manifest).encode()) + 1
                if sums is None or sums.read(limit).decode("utf-8", "replace") != sums_text(manifest):
                    raise _refuse(bundle, f"member {SUMS} disagrees with {MANIFEST}", scratch)
                seen[SUMS] = ("", 0)
                continue
            _admit(bundle, member, manifest, seen, scratch)
            source = archive.extractfile(member)
            seen[member.name] = _copy(source, scratch / member.name, member.size)
    except (tarfile.TarError, EOFError) as exc:
        raise _refuse(bundle, f"it is truncated or damaged ({type(exc).__name__})", scratch) from None
    seen.pop(SUMS, None)
    return seen


def _admit(
    bundle: Path, member: tarfile.TarInfo, manifest: Manifest, seen: dict[str, tuple[str, int]], scratch: Path
) -> None:
    """Refuse a member before a byte of it is written: not a plain file, not canonical, not listed, listed with
    another size, or a second copy."""
    name = member.name
    shown = json.dumps(name[:200])
    if not member.isfile() or not safe_member(name) or name in (MANIFEST, MARKER, SUMS):
        raise _refuse(bundle, f"member {shown} is not a plain file inside the bundle under a canonical name", scratch)
    want = manifest.members.get(name)
    if want is None:
        raise _refuse(bundle, f"member {name}: not listed in the manifest (nothing of it was written)", scratch)
    if name in seen:
        raise _refuse(bundle, f"member {name} appears twice", scratch)
    if member.size != want["size"]:
        raise _refuse(bundle, f"member {name}: {member.size:,} bytes, the manifest says {want['size']:,}", scratch)


def _copy(source: IO[bytes] | None, target: Path, size: int) -> tuple[str, int]:
    target.parent.mkdir(parents=True, exist_ok=True)
    sha = hashlib.sha256()
    written = 0
    with target.open("xb") as out:
        while source is not None and written < size and (block := source.read(min(1 << 20, size - written))):
            sha.update(block)
            written += len(block)
            out.write(block)
    return sha.hexdigest(), written


__all__ = ["MARKER", "open_bundle", "remove_stale_scratch"]
