"""Rules about the platform: libc for manylinux wheels, CPU features, disk space, the loader's search path."""

from __future__ import annotations

import os
import re

from llmenv.probe import HostFacts
from llmenv.tables.cuda import version_tuple
from llmenv.verify.host.context import HostContext
from llmenv.verify.model import Finding, fail, ok, warn


def rule_libc(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    system = facts.system.value
    if system is None or system.os != "Linux":
        return []
    if system.libc == "musl":
        status = fail if ctx.needs and ctx.needs.frameworks else warn
        return [
            status(
                "platform.libc",
                "platform",
                "musl libc (Alpine): PyTorch and TensorFlow publish no musllinux wheels",
                f"{system.distro or 'Linux'} with musl",
                "use a glibc-based distribution or image (Debian, Ubuntu, RHEL-like)",
            )
        ]
    if system.libc_version is None:
        return [
            warn(
                "platform.libc",
                "platform",
                "libc version unknown",
                "platform.libc_ver() gave nothing",
                "install glibc >= 2.28",
            )
        ]
    need = ctx.needs.min_glibc if ctx.needs else None
    if need and version_tuple(system.libc_version) < version_tuple(need):
        return [
            fail(
                "platform.libc",
                "platform",
                f"glibc {system.libc_version} is older than {need}",
                (ctx.needs.glibc_reason if ctx.needs else None) or "",
                "upgrade the OS (e.g. Ubuntu 20.04+, Debian 10+, RHEL 8+) or run in a newer container image",
            )
        ]
    detail = f" (>= {need} needed: {ctx.needs.glibc_reason})" if need and ctx.needs else ""
    return [ok("platform.libc", "platform", f"glibc {system.libc_version}", f"{system.distro or 'Linux'}{detail}")]


def rule_cpu(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    system = facts.system.value
    if system is None or system.machine.lower() not in ("x86_64", "amd64"):
        return []
    if system.cpu_flags is None:
        return [ok("cpu.avx", "platform", "CPU flags not readable on this OS", f"{system.os}: skipped")]
    if "avx" in system.cpu_flags:
        return [ok("cpu.avx", "platform", "CPU has AVX", " ".join(system.cpu_flags))]
    needs_avx = bool(ctx.needs and ctx.needs.needs_avx)
    status = fail if needs_avx else warn
    return [
        status(
            "cpu.avx",
            "platform",
            "CPU lacks AVX: TensorFlow wheels crash with 'Illegal instruction'",
            (ctx.needs.avx_reason if ctx.needs and ctx.needs.avx_reason else "flags: " + " ".join(system.cpu_flags)),
            "use a CPU with AVX (Sandy Bridge or newer), or a profile without TensorFlow",
        )
    ]


def rule_disk(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    spaces = facts.disk.value
    if not spaces:
        return []
    need = ctx.needs.disk_mb if ctx.needs else 2000
    out = []
    for space in spaces:
        wanted = need if space.label in ("env", "uv-cache", "pip-cache") else min(need, 2000)
        evidence = f"{space.free_mb:,} MB free at {space.measured_at} (for {space.path}); about {wanted:,} MB needed"
        fix = f"free space on that filesystem, or point {_disk_knob(space.label)} at a larger one"
        if space.free_mb < wanted:
            out.append(fail(f"disk.{space.label}", "disk", f"not enough disk for {space.label}", evidence, fix))
        elif space.free_mb < 2 * wanted:
            out.append(warn(f"disk.{space.label}", "disk", f"disk nearly full for {space.label}", evidence, fix))
        else:
            out.append(ok(f"disk.{space.label}", "disk", f"disk space for {space.label}", evidence))
    return out


def _disk_knob(label: str) -> str:
    return {"env": "--env", "uv-cache": "UV_CACHE_DIR", "pip-cache": "PIP_CACHE_DIR", "tmp": "TMPDIR"}[label]


# Folders whose libraries the loader would take before the CUDA libraries the wheels bring (nvidia-* wheels).
_CUDA_FOLDER = re.compile(r"(^|[/\\])(cuda|cudnn|nccl|cublas|tensorrt)[^/\\]*([/\\]|$)", re.IGNORECASE)


def rule_library_path(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    """LD_LIBRARY_PATH naming a CUDA installation: judged from the folder names (doctor --env lists the actual
    libraries there and says which import they break)."""
    value = facts.env.get("LD_LIBRARY_PATH", "")
    cuda = [e for e in value.split(os.pathsep) if e and _CUDA_FOLDER.search(e)]
    if not cuda:
        return []
    return [
        warn(
            "platform.ld-library-path",
            "platform",
            "LD_LIBRARY_PATH points at CUDA libraries, which the loader prefers to the wheels' own",
            f"LD_LIBRARY_PATH: {', '.join(cuda)}",
            "the frameworks' wheels bring their CUDA libraries: unset LD_LIBRARY_PATH (or drop those folders) in "
            "the shell that runs the env; a mismatch breaks `import torch` and `llmenv setup --force` cannot help",
        )
    ]


__all__ = ["rule_cpu", "rule_disk", "rule_libc", "rule_library_path"]
