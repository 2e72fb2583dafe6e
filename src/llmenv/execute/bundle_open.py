"""Opening a bundle: every member checked against the manifest before anything is installed.

Members are unpacked into a fresh folder llmenv creates (with a marker file) while their sha256 is computed; only
when every member matches and nothing is missing or extra is the folder moved to its final name. Otherwise the
folder is removed and the bundle refused, naming the member: nothing reaches an installer.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
from pathlib import Path

from llmenv.errors import BundleError
from llmenv.plan.bundle import MANIFEST, SUMS, Manifest, problems, safe_member, sums_text

MARKER = ".llmenv-bundle"


def _refuse(bundle: Path, what: str, scratch: Path | None) -> BundleError:
    if scratch is not None and (scratch / MARKER).is_file():
        shutil.rmtree(scratch, ignore_errors=True)
    return BundleError(
        f"bundle {bundle} refused: {what}; nothing was installed",
        where=str(bundle),
        fix="copy the bundle again from where it was made (compare its sha256), or make a new one with "
        "`llmenv bundle PROFILE -o FILE`",
    )


def open_bundle(bundle: Path, root: Path) -> tuple[Manifest, Path]:
    """(manifest, folder holding the verified members). Raises BundleError (exit 2) on any mismatch."""
    try:
        archive = tarfile.open(bundle, "r:*")  # noqa: SIM115 (closed by the `with` below)
    except (OSError, tarfile.TarError) as exc:
        raise _refuse(bundle, f"it is not a readable bundle ({exc})", None) from None
    with archive:
        try:
            head = archive.next()
            if head is None or head.name != MANIFEST or not head.isfile():
                raise _refuse(bundle, f"its first member is not {MANIFEST}", None)
            handle = archive.extractfile(head)
            manifest = Manifest.from_dict(json.loads(handle.read() if handle else b"{}"))
        except (ValueError, KeyError, TypeError, tarfile.TarError) as exc:
            raise _refuse(bundle, f"its manifest cannot be read ({exc})", None) from None
        digest = hashlib.sha256(json.dumps(manifest.to_dict(), sort_keys=True).encode()).hexdigest()[:16]
        root.mkdir(parents=True, exist_ok=True)
        scratch = root / f".{digest}.{os.getpid()}.tmp"
        scratch.mkdir()
        (scratch / MARKER).write_text(str(bundle), encoding="utf-8")
        seen: dict[str, tuple[str, int]] = {}
        try:
            for member in archive:
                if member is head:
                    continue  # iteration starts over at the manifest, already read
                if member.name == SUMS and member.isfile():
                    # Must say exactly what the manifest says, so the shell bootstrap checks the same hashes.
                    sums = archive.extractfile(member)
                    if sums is None or sums.read().decode("utf-8", "replace") != sums_text(manifest):
                        raise _refuse(bundle, f"member {SUMS} disagrees with {MANIFEST}", scratch)
                    continue
                if not member.isfile() or not safe_member(member.name) or member.name in (MANIFEST, MARKER):
                    raise _refuse(bundle, f"member {member.name!r} is not a plain file inside the bundle", scratch)
                target = scratch / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                sha = hashlib.sha256()
                size = 0
                with target.open("wb") as out:
                    while source is not None and (block := source.read(1 << 20)):
                        sha.update(block)
                        size += len(block)
                        out.write(block)
                seen[member.name] = (sha.hexdigest(), size)
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise _refuse(bundle, f"it is truncated or damaged ({exc})", scratch) from None
    wrong = problems(manifest, seen)
    if wrong:
        listed = "; ".join(wrong[:5]) + (f"; and {len(wrong) - 5} more" if len(wrong) > 5 else "")
        raise _refuse(bundle, f"member {listed}", scratch)
    final = root / digest
    if final.exists() and (final / MARKER).is_file():
        shutil.rmtree(final)  # an earlier unpacking of the same bundle, by llmenv
    os.replace(scratch, final)
    return manifest, final


__all__ = ["MARKER", "open_bundle"]
