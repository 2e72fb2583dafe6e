"""A python-build-standalone mirror made from an interpreter installed on this machine: the install tree packed
under a top folder `python/` (uv's install_only layout) plus the download metadata uv reads from
UV_PYTHON_DOWNLOADS_JSON_URL. The metadata's URL is the GitHub one, so uv reaches the archive only through the
`python` mirror (UV_PYTHON_INSTALL_MIRROR). Format checked against uv 0.13.9 (../shared/reference/mirrors.md)."""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path

GITHUB = "https://github.com/astral-sh/python-build-standalone/releases/download"
BUILD = "20240107"
SKIP = ("__pycache__", "config-3.", "site-packages", "idlelib", "tkinter", "turtledemo", "/test/")


def build_mirror(prefix: Path, version: str, out: Path) -> tuple[Path, Path]:
    """(folder holding the archive, downloads JSON)."""
    out.mkdir(parents=True, exist_ok=True)
    name = f"cpython-{version}+{BUILD}-x86_64-unknown-linux-gnu-install_only.tar.gz"
    archive = out / name

    def keep(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        return None if any(s in info.name for s in SKIP) or info.name.endswith(".a") else info

    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:
        tar.add(prefix, arcname="python", filter=keep)
    major, minor, patch = version.split(".")
    entry = {
        "name": "cpython",
        "arch": {"family": "x86_64", "variant": None},
        "os": "linux",
        "libc": "gnu",
        "major": int(major),
        "minor": int(minor),
        "patch": int(patch),
        "prerelease": "",
        "url": f"{GITHUB}/{BUILD}/{name}",
        "sha256": hashlib.sha256(archive.read_bytes()).hexdigest(),
        "variant": None,
        "build": BUILD,
    }
    metadata = out / "downloads.json"
    metadata.write_text(json.dumps({f"cpython-{version}-linux-x86_64-gnu": entry}, indent=2))
    return out, metadata
