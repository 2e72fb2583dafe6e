"""Small bundles made by hand for the hostile bundle cases: any manifest, any member names, any order.

`make_bundle` writes a tar whose first member is `manifest.json` (the document given, or the right one for the
members), then the members in the order given; nothing is checked, so each case can break exactly one rule."""

from __future__ import annotations

import hashlib
import io
import json
import platform
import sys
import tarfile
from pathlib import Path
from typing import Any

PROFILE = b"name: demo\npython: '>=3.10'\naccelerator: cpu\npackages: ['alpha==1.0']\n"
WHEEL = "wheels/alpha-1.0-py3-none-any.whl"


def host_platform() -> str:
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower(), platform.machine().lower())
    if sys.platform == "darwin":
        return f"{machine}-apple-darwin"
    return f"{machine}-manylinux_2_28"


def good_members() -> dict[str, bytes]:
    return {"profile/demo.yaml": PROFILE, WHEEL: b"not really a wheel"}


def manifest_for(listed: dict[str, bytes], **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": 1,
        "profile": "demo",
        "profile_member": "profile/demo.yaml",
        "llmenv_version": "0.1.0",
        "platform": host_platform(),
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "variants": [],
        "python_archive": None,
        "data": None,
        "uv": None,
        "notes": [],
        "members": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)} for name, data in listed.items()
        },
    }
    document.update(changes)
    return document


def add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def make_bundle(
    path: Path,
    members: dict[str, bytes] | None = None,
    manifest: dict[str, Any] | bytes | None = None,
    extra: list[tuple[str, bytes]] | None = None,
    mode: str = "w",
) -> Path:
    """A bundle at `path`: `members` listed and stored; `manifest` replaces the right manifest (bytes: verbatim);
    `extra` members are stored after the others without being listed."""
    members = good_members() if members is None else members
    document = manifest if manifest is not None else manifest_for(members)
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    with tarfile.open(path, mode) as archive:  # type: ignore[call-overload]
        add(archive, "manifest.json", raw)
        for name, data in members.items():
            add(archive, name, data)
        for name, data in extra or []:
            add(archive, name, data)
    return path
