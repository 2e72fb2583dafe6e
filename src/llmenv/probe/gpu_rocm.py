"""AMD GPUs through ROCm: `rocminfo` agents and the installed ROCm version."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from llmenv.probe.facts import Probed
from llmenv.process import run


@dataclass(frozen=True)
class RocmGpu:
    gfx: str
    name: str


@dataclass(frozen=True)
class RocmInfo:
    version: str | None
    gpus: tuple[RocmGpu, ...]
    kfd_writable: bool | None


def parse_rocminfo(text: str) -> list[RocmGpu]:
    """GPU agents from `rocminfo`: each 'Agent N' block with 'Device Type: GPU'."""
    gpus = []
    for block in re.split(r"\n\*+\s*\nAgent \d+\s*\n\*+\s*\n", "\n" + text):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            key, sep, value = line.partition(":")
            if sep and line.startswith("  ") and not line.startswith("    "):
                fields.setdefault(key.strip(), value.strip())
        if fields.get("Device Type") == "GPU":
            gpus.append(RocmGpu(fields.get("Name", "?"), fields.get("Marketing Name", fields.get("Name", "?"))))
    return gpus


def parse_rocm_version(text: str) -> str | None:
    """`/opt/rocm/.info/version` holds e.g. `6.2.0-66`."""
    match = re.match(r"\s*(\d+\.\d+(?:\.\d+)?)", text)
    return match.group(1) if match else None


def probe_rocm(root: Path | None = None) -> Probed[RocmInfo]:
    root = root or Path(os.environ.get("ROCM_PATH", "/opt/rocm"))
    version = None
    for name in (".info/version", ".info/version-dev"):
        try:
            version = parse_rocm_version((root / name).read_text())
            break
        except OSError:
            continue
    tool = shutil.which("rocminfo") or (str(root / "bin/rocminfo") if (root / "bin/rocminfo").is_file() else None)
    if tool is None:
        if version:
            return Probed(RocmInfo(version, (), None), str(root), "ROCm is installed but rocminfo is missing")
        return Probed(None, f"no rocminfo, no {root}")
    result = run([tool], timeout=5.0)
    kfd = Path("/dev/kfd")
    writable = os.access(kfd, os.W_OK) if kfd.exists() else None
    if not result.ok:
        return Probed(RocmInfo(version, (), writable), tool, result.describe_failure())
    gpus = tuple(parse_rocminfo(result.stdout))
    if not gpus:
        return Probed(None, tool)
    return Probed(RocmInfo(version, gpus, writable), tool, seconds=result.seconds)


__all__ = ["RocmGpu", "RocmInfo", "parse_rocm_version", "parse_rocminfo", "probe_rocm"]
