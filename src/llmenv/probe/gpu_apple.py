"""Apple Silicon: PyTorch's MPS backend needs an arm64 Mac on macOS 12.3 or newer (14+ recommended)."""

from __future__ import annotations

import platform
from dataclasses import dataclass

from llmenv.probe.facts import Probed


@dataclass(frozen=True)
class AppleInfo:
    machine: str
    macos: str
    mps_capable: bool
    reason: str


def apple_mps(system: str, machine: str, macos: str) -> AppleInfo | None:
    if system != "Darwin":
        return None
    parts = tuple(int(p) for p in macos.split(".") if p.isdigit()) or (0,)
    if machine != "arm64":
        return AppleInfo(machine, macos, False, "Intel Mac: no MPS, and PyTorch stopped x86_64 macOS wheels at 2.2.2")
    if parts < (12, 3):
        return AppleInfo(machine, macos, False, "MPS needs macOS 12.3 or newer")
    return AppleInfo(machine, macos, True, "Apple Silicon with macOS >= 12.3")


def probe_apple() -> Probed[AppleInfo]:
    info = apple_mps(platform.system(), platform.machine(), platform.mac_ver()[0])
    return Probed(info, "platform.mac_ver()")


__all__ = ["AppleInfo", "apple_mps", "probe_apple"]
