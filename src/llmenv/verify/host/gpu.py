"""Rules about GPUs, drivers and the CUDA toolkit, alone and against the profile."""

from __future__ import annotations

from llmenv.probe import HostFacts
from llmenv.tables.cuda import driver_runs_cuda, version_tuple
from llmenv.verify.host.context import HostContext, host_os
from llmenv.verify.model import Finding, fail, ok, warn


def rule_gpu(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    nvidia, rocm, apple = facts.nvidia, facts.rocm, facts.apple
    out = []
    if nvidia.value:
        info = nvidia.value
        gpus = (
            "; ".join(
                f"#{g.index} {g.name}"
                + (f" (sm_{g.compute_capability.replace('.', '')})" if g.compute_capability else "")
                + (f", {g.memory_mb:,} MiB" if g.memory_mb else "")
                for g in info.gpus
            )
            or "no GPU details (driver only)"
        )
        out.append(
            ok(
                "gpu.nvidia",
                "gpu",
                f"NVIDIA driver {info.driver}, CUDA up to {info.max_cuda or '?'}",
                f"{gpus}; source {nvidia.source}"
                + (
                    f"; CUDA_VISIBLE_DEVICES={info.cuda_visible_devices}"
                    if info.cuda_visible_devices is not None
                    else ""
                ),
            )
        )
        if info.cuda_visible_devices is not None and info.cuda_visible_devices.strip() in ("", "-1"):
            out.append(
                warn(
                    "gpu.visible-devices",
                    "gpu",
                    "CUDA_VISIBLE_DEVICES hides every GPU",
                    f"CUDA_VISIBLE_DEVICES={info.cuda_visible_devices!r}",
                    "unset CUDA_VISIBLE_DEVICES or list the GPU indexes to use",
                )
            )
    elif nvidia.error:
        out.append(
            warn(
                "gpu.nvidia",
                "gpu",
                "NVIDIA probe failed",
                f"{nvidia.source}: {nvidia.error}",
                "check that `nvidia-smi` runs; reinstall the driver if it hangs or fails",
            )
        )
    else:
        out.append(ok("gpu.nvidia", "gpu", "no NVIDIA GPU", nvidia.source))
    if rocm.value:
        r = rocm.value
        out.append(
            ok(
                "gpu.rocm",
                "gpu",
                f"ROCm {r.version or '?'}",
                "; ".join(f"{g.name} ({g.gfx})" for g in r.gpus) or "no GPU agents",
            )
        )
        if r.kfd_writable is False:
            out.append(
                warn(
                    "gpu.rocm-kfd",
                    "gpu",
                    "/dev/kfd is not writable",
                    "ROCm needs read/write access to /dev/kfd",
                    "add your user to the `render` and `video` groups, then log in again",
                )
            )
    if apple.value:
        a = apple.value
        evidence = f"macOS {a.macos} on {a.machine}: {a.reason}"
        if a.mps_capable:
            out.append(ok("gpu.apple", "gpu", "Apple MPS available", evidence))
        else:
            out.append(
                warn("gpu.apple", "gpu", "no MPS", evidence, "use an Apple Silicon Mac on macOS 14+ for GPU training")
            )
    out += _gpu_vs_profile(facts, ctx)
    return out


def _gpu_vs_profile(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    if ctx.needs is None:
        return []
    nvidia = facts.nvidia.value
    has_gpu = bool(nvidia) or bool(facts.rocm.value) or bool(facts.apple.value and facts.apple.value.mps_capable)
    want = ctx.accelerator
    name = ctx.profile_name or "the profile"
    if want == "cuda" and nvidia is None:
        return [
            fail(
                "gpu.profile-match",
                "gpu",
                f"{name} asks for CUDA but no NVIDIA GPU was found",
                facts.nvidia.error or facts.nvidia.source,
                "install the NVIDIA driver (check with `nvidia-smi`), or run with --accelerator cpu",
            )
        ]
    if want == "cpu" and has_gpu:
        return [
            warn(
                "gpu.profile-match",
                "gpu",
                f"{name} builds for the CPU although this host has a GPU",
                "accelerator: cpu",
                "use --accelerator auto (or cuda/rocm/mps) to train on the GPU",
            )
        ]
    if nvidia and want in ("cuda", "auto") and ctx.min_cuda:
        if not driver_runs_cuda(nvidia.driver, ctx.min_cuda, host_os(facts)):
            status = fail if want == "cuda" else warn
            consequence = "" if want == "cuda" else "; setup will fall back to the CPU build"
            return [
                status(
                    "gpu.driver-cuda",
                    "gpu",
                    f"driver {nvidia.driver} is too old for CUDA {ctx.min_cuda}",
                    f"driver supports CUDA up to {nvidia.max_cuda}; {name} needs >= {ctx.min_cuda}{consequence}",
                    "upgrade the NVIDIA driver (>= 525.60.13 for CUDA 12, >= 580 for CUDA 13)",
                )
            ]
        return [
            ok(
                "gpu.driver-cuda",
                "gpu",
                f"driver {nvidia.driver} runs CUDA {ctx.min_cuda}+ builds",
                f"max CUDA {nvidia.max_cuda}",
            )
        ]
    if want == "auto":
        target = "CUDA" if nvidia else ("ROCm" if facts.rocm.value else ("MPS" if has_gpu else "CPU"))
        return [ok("gpu.profile-match", "gpu", f"accelerator auto resolves to {target}", f"{name}")]
    return [ok("gpu.profile-match", "gpu", f"accelerator {want} fits this host", f"{name}")]


def rule_cuda_toolkit(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    toolkit = facts.cuda_toolkit.value
    if toolkit is None:
        return [
            ok(
                "cuda.toolkit",
                "gpu",
                "no CUDA toolkit (not needed: wheels bundle the CUDA runtime)",
                facts.cuda_toolkit.source,
            )
        ]
    nvidia = facts.nvidia.value
    evidence = f"nvcc {toolkit.version} at {toolkit.nvcc}" + (
        f", CUDA_HOME={toolkit.cuda_home}" if toolkit.cuda_home else ""
    )
    if nvidia and nvidia.max_cuda and version_tuple(toolkit.version) > version_tuple(nvidia.max_cuda):
        return [
            warn(
                "cuda.toolkit",
                "gpu",
                f"CUDA toolkit {toolkit.version} is newer than the driver's CUDA {nvidia.max_cuda}",
                evidence,
                "extensions compiled with this nvcc will not load; upgrade the driver or use an older toolkit",
            )
        ]
    note = "" if nvidia else " (no NVIDIA driver here: fine for building, nothing will run on a GPU)"
    return [ok("cuda.toolkit", "gpu", f"CUDA toolkit {toolkit.version}{note}", evidence)]


__all__ = ["rule_cuda_toolkit", "rule_gpu"]
