"""OS, architecture, bitness, libc, CPU features and memory: the facts that decide which wheels can exist."""

from __future__ import annotations

import os
import platform
import struct
from dataclasses import dataclass
from pathlib import Path

# Only the CPU features that decide whether framework wheels run (TensorFlow needs AVX; others speed things up).
RELEVANT_FLAGS = frozenset(
    {
        "sse4_1",
        "sse4_2",
        "avx",
        "avx2",
        "fma",
        "f16c",
        "avx512f",
        "avx512_bf16",
        "avx512_vnni",
        "amx_tile",
        "amx_bf16",
        "asimd",
        "sve",
        "sve2",
        "fp16",
        "bf16",
        "i8mm",
    }
)
_64BIT_MACHINES = {"x86_64", "amd64", "aarch64", "arm64", "ppc64le", "s390x", "riscv64", "loongarch64"}


@dataclass(frozen=True)
class SystemInfo:
    os: str  # Linux, Darwin, Windows
    os_release: str
    distro: str | None  # PRETTY_NAME from os-release, or "macOS 14.5", "Windows 11"
    distro_id: str | None
    machine: str
    os_bits: int
    python_bits: int
    libc: str | None  # glibc, musl, or None off Linux
    libc_version: str | None
    cpu_flags: tuple[str, ...] | None  # None when this OS gives no cheap way to read them
    cpu_count: int | None
    memory_total_mb: int | None
    memory_available_mb: int | None
    wsl: bool


def parse_os_release(text: str) -> dict[str, str]:
    """`/etc/os-release` (freedesktop format): KEY=value lines, values optionally quoted."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        out[key.strip()] = value
    return out


def parse_cpuinfo_flags(text: str) -> tuple[str, ...]:
    """Relevant CPU feature flags from `/proc/cpuinfo` ("flags" on x86, "Features" on ARM), first processor."""
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() in ("flags", "Features"):
            return tuple(sorted(set(value.split()) & RELEVANT_FLAGS))
    return ()


def parse_meminfo(text: str) -> tuple[int | None, int | None]:
    """(MemTotal, MemAvailable) in MiB from `/proc/meminfo`."""
    values: dict[str, int] = {}
    for line in text.splitlines():
        key, sep, rest = line.partition(":")
        parts = rest.split()
        if sep and parts and parts[0].isdigit():
            values[key.strip()] = int(parts[0]) // 1024
    return values.get("MemTotal"), values.get("MemAvailable")


def os_bits(machine: str, python_bits: int) -> int:
    # A 32-bit Python on 64-bit Windows reports the OS's machine via PROCESSOR_ARCHITEW6432.
    if machine.lower() in _64BIT_MACHINES or os.environ.get("PROCESSOR_ARCHITEW6432"):
        return 64
    return python_bits if machine else 32


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def probe_system() -> SystemInfo:
    system = platform.system()
    machine = platform.machine()
    python_bits = struct.calcsize("P") * 8
    distro = distro_id = None
    libc = libc_version = None
    flags: tuple[str, ...] | None = None
    total = available = None
    wsl = False
    if system == "Linux":
        release = parse_os_release(_read("/etc/os-release") or _read("/usr/lib/os-release") or "")
        distro, distro_id = release.get("PRETTY_NAME"), release.get("ID")
        name, version = platform.libc_ver()
        if name:
            libc, libc_version = ("glibc" if name == "glibc" else name), version or None
        elif Path("/lib/ld-musl-x86_64.so.1").exists() or any(Path("/lib").glob("ld-musl-*.so.1")):
            libc = "musl"
        cpuinfo = _read("/proc/cpuinfo")
        flags = parse_cpuinfo_flags(cpuinfo) if cpuinfo else None
        meminfo = _read("/proc/meminfo")
        if meminfo:
            total, available = parse_meminfo(meminfo)
        wsl = "microsoft" in (platform.release() or "").lower()
    elif system == "Darwin":
        mac = platform.mac_ver()[0]
        distro = f"macOS {mac}" if mac else "macOS"
        distro_id = "macos"
    elif system == "Windows":
        distro = f"Windows {platform.release()} ({platform.version()})"
        distro_id = "windows"
    return SystemInfo(
        os=system,
        os_release=platform.release(),
        distro=distro,
        distro_id=distro_id,
        machine=machine,
        os_bits=os_bits(machine, python_bits),
        python_bits=python_bits,
        libc=libc,
        libc_version=libc_version,
        cpu_flags=flags,
        cpu_count=os.cpu_count(),
        memory_total_mb=total,
        memory_available_mb=available,
        wsl=wsl,
    )


__all__ = ["SystemInfo", "os_bits", "parse_cpuinfo_flags", "parse_meminfo", "parse_os_release", "probe_system"]
