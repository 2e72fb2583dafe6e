"""Free space where the environment, the installers' caches and temporary files will go.

pip stages whole wheels in TMPDIR (pypa/pip#12868) and a CUDA torch is several GB, so each place is measured."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DiskSpace:
    label: str  # env, uv-cache, pip-cache, tmp
    path: str  # the path asked about
    measured_at: str  # the nearest existing folder
    free_mb: int
    total_mb: int


def nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def cache_dirs() -> dict[str, Path]:
    home = Path.home()
    xdg = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    uv = os.environ.get("UV_CACHE_DIR")
    pip = os.environ.get("PIP_CACHE_DIR")
    return {
        "uv-cache": Path(uv) if uv else xdg / "uv",
        "pip-cache": Path(pip) if pip else xdg / "pip",
        "tmp": Path(tempfile.gettempdir()),
    }


def probe_disk(env_path: Path | None) -> list[DiskSpace]:
    targets = {"env": env_path or Path.cwd(), **cache_dirs()}
    out = []
    seen: set[str] = set()
    for label, path in targets.items():
        anchor = nearest_existing(path)
        try:
            usage = shutil.disk_usage(anchor)
        except OSError:
            continue
        key = f"{label}:{anchor}"
        if key in seen:
            continue
        seen.add(key)
        out.append(DiskSpace(label, str(path), str(anchor), usage.free // 2**20, usage.total // 2**20))
    return out


__all__ = ["DiskSpace", "cache_dirs", "nearest_existing", "probe_disk"]
