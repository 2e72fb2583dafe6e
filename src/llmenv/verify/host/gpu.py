"""Rules about GPUs, drivers and the CUDA toolkit, alone and against the plan's accelerator decision."""

from __future__ import annotations

from llmenv.plan.accelerators import detected, lone_gpu_cc
from llmenv.plan.accelerators.base import driver_os
from llmenv.plan.accelerators.cuda import ARCH_UNKNOWN, BROKEN_FIX, LOST_FIX
from llmenv.plan.accelerators.visible import visible_gpus
from llmenv.plan.model import AcceleratorDecision
from llmenv.probe import HostFacts
from llmenv.probe.gpu_nvidia import NvidiaInfo, driver_broken
from llmenv.tables.cuda import compat_note, family_min_driver, version_tuple
from llmenv.tables.torch import cuda_of
from llmenv.trust import NOT_RUN
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
                f"NVIDIA driver {info.driver} (CUDA {info.max_cuda or '?'})",
                f"{gpus}; source {nvidia.source}; {_driver_cuda(info, driver_os(facts))}"
                + (
                    f"; CUDA_VISIBLE_DEVICES={info.cuda_visible_devices}"
                    if info.cuda_visible_devices is not None
                    else ""
                ),
            )
        )
        out += _smi_troubles(info)
        seen, notes = visible_gpus(info)
        if info.cuda_visible_devices is not None and info.gpus and not seen:
            out.append(
                warn(
                    "gpu.visible-devices",
                    "gpu",
                    "CUDA_VISIBLE_DEVICES hides every GPU",
                    "; ".join(notes) or f"CUDA_VISIBLE_DEVICES={info.cuda_visible_devices!r}",
                    "unset CUDA_VISIBLE_DEVICES, or list the GPUs to use (indexes, or UUIDs from `nvidia-smi -L`)",
                )
            )
    elif driver_broken(nvidia.error):
        # Installed but not working: loud, and a failure when the profile or --accelerator needs the GPU.
        needs_gpu = ctx.accelerator == "cuda" or ctx.decision_error is not None
        status = fail if needs_gpu else warn
        consequence = "" if needs_gpu else "; setup will install the CPU build"
        out.append(
            status(
                "gpu.nvidia",
                "gpu",
                "NVIDIA driver installed but not working",
                f"{nvidia.source}: {nvidia.error}{consequence}",
                BROKEN_FIX,
            )
        )
    elif nvidia.error:
        out.append(
            warn(
                "gpu.nvidia",
                "gpu",
                "NVIDIA probe failed",
                f"{nvidia.source}: {nvidia.error}",
                (
                    "take the folder named above out of PATH (see path.empty-entry and path.untrusted-entry) so that "
                    "the driver's own nvidia-smi is found; llmenv runs no program another user could have put there"
                )
                if NOT_RUN in nvidia.error
                else "check that `nvidia-smi` runs; reinstall the driver if it hangs or fails",
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
    lone = lone_gpu_cc(facts)
    if lone:
        out.append(
            warn(
                "gpu.override",
                "gpu",
                "LLMENV_GPU_CC is set without LLMENV_CUDA_DRIVER, so it is ignored",
                lone.split(". To plan")[0],
                "set LLMENV_CUDA_DRIVER too (e.g. `export LLMENV_CUDA_DRIVER=580.65.06`) to judge the stand-in GPU, "
                "or `unset LLMENV_GPU_CC`",
            )
        )
    out += _gpu_vs_plan(facts, ctx)
    return out


def _smi_troubles(info: NvidiaInfo) -> list[Finding]:
    """What nvidia-smi said besides its rows: lost GPUs (the others still work) and a non-zero exit it printed
    rows through (infoROM corrupted), never read as a broken driver."""
    out = []
    if info.lost:
        out.append(
            warn(
                "gpu.lost",
                "gpu",
                f"{len(info.lost)} GPU(s) lost; the {len(info.gpus)} listed GPU(s) are used",
                f"nvidia-smi: {'; '.join(info.lost)}" + (f" ({info.smi_status})" if info.smi_status else ""),
                LOST_FIX.replace("BUS", info.lost[0].split(": ")[0]),
            )
        )
    elif info.smi_status:
        out.append(
            warn(
                "gpu.nvidia-smi",
                "gpu",
                "nvidia-smi exited non-zero but listed the GPUs; its rows are used",
                info.smi_status,
                "nothing for llmenv; an 'infoROM is corrupted' warning does not stop CUDA programs: check "
                "`nvidia-smi -q | grep -i -A3 inforom` and ask the vendor about reflashing it if ECC or power "
                "reporting misbehave",
            )
        )
    return out


def _driver_cuda(info: NvidiaInfo, os_name: str) -> str:
    """The driver's own CUDA and what minor-version compatibility adds: the numbers the plan uses."""
    if info.max_cuda is None:
        return "the driver's own CUDA version is unknown"
    major = version_tuple(info.max_cuda)[0]
    family = family_min_driver(info.max_cuda, os_name)
    text = f"its own CUDA (nvidia-smi's 'CUDA Version') is {info.max_cuda}"
    if family and version_tuple(info.driver) >= version_tuple(family):
        text += (
            f"; newer CUDA {major}.x builds run on it through minor-version compatibility (any driver >= {family}),"
            " with a limited feature set (no JIT compilation of their newer PTX)"
        )
    return text


def _gpu_vs_plan(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    """The host judged by the plan's own decision (never a second one): what setup would build, and what it cannot."""
    if ctx.needs is None:
        return []
    name = ctx.profile_name or "the profile"
    nvidia = facts.nvidia.value
    if ctx.decision_error is not None or ctx.decision is None:
        error = ctx.decision_error
        fid = "gpu.driver-cuda" if nvidia and ctx.accelerator == "cuda" else "gpu.profile-match"
        if error is None:
            return [
                fail(fid, "gpu", f"{name}: no accelerator decision", "the plan could not be made", "run `llmenv probe`")
            ]
        fix = error.fix or "use --accelerator cpu"
        return [fail(fid, "gpu", f"{name}: {error.what}", error.where or ctx.accelerator, fix)]
    decision = ctx.decision
    out = [
        warn(
            "gpu.visible-devices",
            "gpu",
            "CUDA_VISIBLE_DEVICES is not read as you may expect",
            note,
            "list GPUs by UUID (`nvidia-smi -L`), or set CUDA_DEVICE_ORDER=PCI_BUS_ID with indexes",
        )
        for note in decision.warnings
        if note.startswith("CUDA_VISIBLE_DEVICES")
    ]
    return out + _judged(facts, ctx, decision, name)


def _judged(facts: HostFacts, ctx: HostContext, decision: AcceleratorDecision, name: str) -> list[Finding]:
    nvidia = facts.nvidia.value
    chosen = decision.accelerator.value
    variant = decision.variant.value if decision.variant else None
    if chosen == "cuda" and nvidia:
        build = (
            f"the {variant} build" if variant else (f"CUDA {ctx.min_cuda}+ builds" if ctx.min_cuda else "CUDA builds")
        )
        cuda = cuda_of(variant) if variant and variant.startswith("cu") else ctx.min_cuda
        compat = bool(cuda and compat_note(nvidia.driver, nvidia.max_cuda, cuda, driver_os(facts)))
        unknown = next((w for w in decision.warnings if w.startswith(ARCH_UNKNOWN)), None)
        title = f"driver {nvidia.driver} runs {build}" + (" through CUDA minor-version compatibility" if compat else "")
        evidence = (decision.variant.why if decision.variant else decision.accelerator.why) + (
            f"; serves {', '.join(decision.serves)}" if decision.serves else ""
        )
        if unknown:
            fix = unknown.partition("To check: ")[2] or "make `nvidia-smi` work here, then run doctor again"
            out = [warn("gpu.driver-cuda", "gpu", title + ", but the GPU's architecture is unknown", evidence, fix)]
        else:
            out = [ok("gpu.driver-cuda", "gpu", title, evidence)]
        if decision.unused:
            names = ", ".join(g for g, _ in decision.unused)
            out.append(
                warn(
                    "gpu.unused",
                    "gpu",
                    f"{build} cannot use {names}",
                    "; ".join(f"{g}: {why}" for g, why in decision.unused),
                    _select_fix(ctx, build, names),
                )
            )
        return out
    if decision.fallback is not None:
        if decision.broken:
            return []  # gpu.nvidia already says it, loudly
        return [
            warn(
                "gpu.driver-cuda",
                "gpu",
                f"setup will install the CPU build of {name}, not a CUDA one",
                f"{decision.fallback}; the CPU build runs, without the GPU",
                decision.fix or "use --accelerator cpu to make the choice explicit",
            )
        ]
    detected_here = detected(facts)
    if chosen == "cpu" and any(d.broken is None for d in detected_here.values()):
        return [
            warn(
                "gpu.profile-match",
                "gpu",
                f"{name} builds for the CPU although this host has a GPU",
                decision.accelerator.why,
                "use --accelerator auto (or cuda/rocm/mps) to train on the GPU",
            )
        ]
    target = {"cuda": "CUDA", "rocm": "ROCm", "mps": "MPS", "cpu": "CPU"}.get(chosen, chosen)
    return [
        ok(
            "gpu.profile-match",
            "gpu",
            f"accelerator {ctx.accelerator} resolves to {target}" + (f" ({variant})" if variant else ""),
            f"{name}: {decision.accelerator.why}",
        )
    ]


def _select_fix(ctx: HostContext, build: str, names: str) -> str:
    """Whole commands: keep programs on the served GPUs, or rebuild for the others (profile and env named)."""
    select = ctx.decision.select if ctx.decision else None
    if select is None:
        return "select the GPUs to use with CUDA_VISIBLE_DEVICES (UUIDs from `nvidia-smi -L`)"
    env = ctx.plan.env if ctx.plan is not None else None
    setup = f"llmenv setup {ctx.profile_name or ''}".rstrip() + (f" --env {env}" if env else "") + " --force"
    return (
        f"no single build serves every GPU here: `export {select[0]}` keeps programs on the GPUs {build} serves; "
        f"to build for {names} instead, run `{select[1]} {setup}`"
    )


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
        same_family = bool(compat_note(nvidia.driver, nvidia.max_cuda, toolkit.version, host_os(facts)))
        same_family = same_family and version_tuple(toolkit.version)[0] == version_tuple(nvidia.max_cuda)[0]
        consequence = (
            "extensions compiled with this nvcc load only through minor-version compatibility: compile them for "
            "this GPU's architecture (cubins), since the driver cannot JIT-compile their newer PTX"
            if same_family
            else "extensions compiled with this nvcc will not load"
        )
        return [
            warn(
                "cuda.toolkit",
                "gpu",
                f"CUDA toolkit {toolkit.version} is newer than the driver's CUDA {nvidia.max_cuda}",
                evidence,
                f"{consequence}; upgrade the driver or use an older toolkit",
            )
        ]
    note = "" if nvidia else " (no NVIDIA driver here: fine for building, nothing will run on a GPU)"
    return [ok("cuda.toolkit", "gpu", f"CUDA toolkit {toolkit.version}{note}", evidence)]


__all__ = ["rule_cuda_toolkit", "rule_gpu"]
