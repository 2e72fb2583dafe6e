"""NVIDIA CUDA: the torch build for the visible GPUs from every constraint together (the driver's CUDA family, each
GPU's compute capability against the build's per-platform architecture list, the variants published for the pinned
release, the profile's CUDA floor).

uv's --torch-backend looks at the driver only, so a GTX 1080 Ti (sm_61) on a 580 driver gets a CUDA 13 build
without Pascal kernels (astral-sh/uv#14742); here the architecture lists rule such variants out. With several GPUs
no single build may serve them all (sm_61 beside sm_120): the build serving the most capable GPU wins, preferring
one that serves the others too, and each GPU left out is named with how to select GPUs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from llmenv.errors import HostError
from llmenv.plan.accelerators.base import Detected, driver_os, host_machine, host_os, torch_version
from llmenv.plan.accelerators.cpu import cpu_decision
from llmenv.plan.accelerators.troubles import ARCH_UNKNOWN, LOST, LOST_FIX, WSL_DRIVER, lost_warning, retired_fix
from llmenv.plan.accelerators.visible import gpu_label, selector, visible_gpus
from llmenv.plan.model import AcceleratorDecision, Choice
from llmenv.probe import HostFacts
from llmenv.probe.gpu_nvidia import NvidiaGpu, NvidiaInfo, driver_broken
from llmenv.profiles.model import Profile
from llmenv.tables.cuda import compat_note, driver_runs_cuda, family_min_driver, upgrade_fix, version_tuple
from llmenv.tables.gpus import retired
from llmenv.tables.torch import (
    TorchVariants,
    arch_range,
    archs_known,
    cuda_of,
    has_sass,
    platform_key,
    runs_on,
    variants_for,
    width,
)

BROKEN_FIX = (
    "the NVIDIA driver is installed but its kernel module is not usable: reboot after installing or upgrading the "
    "driver (a 'Driver/library version mismatch' always needs one), or load it with `sudo modprobe nvidia` and read "
    "`sudo dmesg | grep -i nvidia` (with Secure Boot on, the module must be signed); then check `nvidia-smi`"
)
NO_DRIVER_FIX = "install the NVIDIA driver (check with `nvidia-smi`), or run with --accelerator cpu"


@dataclass(frozen=True)
class _Pick:
    variant: str | None
    why: str
    rejected: tuple[tuple[str, str], ...]
    served: tuple[NvidiaGpu, ...] = ()
    unused: tuple[tuple[NvidiaGpu, str], ...] = ()
    fix: str | None = None  # set when nothing fits: what would
    warning: str | None = None  # said with the choice (the GPU's architecture was unknown)


class Cuda:
    name = "cuda"

    def detect(self, facts: HostFacts) -> Detected | None:
        nvidia = facts.nvidia
        if nvidia.value:
            return Detected(f"NVIDIA driver {nvidia.value.driver} found ({nvidia.source})")
        if driver_broken(nvidia.error):
            return Detected("NVIDIA driver installed but not working", broken=nvidia.error)
        return None

    def decide(self, profile: Profile, facts: HostFacts, why: str, strict: bool) -> AcceleratorDecision:
        info = facts.nvidia.value
        where = "--accelerator cuda" if why.startswith("--") else f"profile {profile.name}"
        if info is None:
            if driver_broken(facts.nvidia.error):
                raise HostError(
                    f"NVIDIA driver installed but not working: {facts.nvidia.error}", where=where, fix=BROKEN_FIX
                )
            raise HostError(
                "no NVIDIA GPU found: " + (facts.nvidia.error or facts.nvidia.source), where=where, fix=NO_DRIVER_FIX
            )
        visible, notes = visible_gpus(info)
        if info.gpus and not visible:
            pick = _Pick(
                None,
                f"CUDA_VISIBLE_DEVICES={info.cuda_visible_devices!r} hides every GPU",
                (),
                fix="unset CUDA_VISIBLE_DEVICES, or list the GPUs to use (indexes or UUIDs from `nvidia-smi -L`)",
            )
        else:
            pick = _choose(profile, facts, info, visible)
        if pick.fix is not None and facts.system.value is not None and facts.system.value.wsl:
            pick = replace(
                pick, fix=pick.fix.replace("upgrade the NVIDIA driver", f"upgrade the NVIDIA driver {WSL_DRIVER}")
            )
        if info.lost:
            notes = (*notes, lost_warning(info))
        if pick.fix is not None:
            return _fallback(profile, facts, pick, strict, where, notes)
        served = tuple(gpu_label(g) for g in pick.served)
        unused = tuple((gpu_label(g), reason) for g, reason in pick.unused)
        warnings = list(notes) + ([pick.warning] if pick.warning else [])
        select = None
        if pick.unused:
            warnings.append(_unused_warning(info, pick))
            select = (selector(pick.served, info), selector([g for g, _ in pick.unused], info))
        override = profile.accelerators.get("cuda")
        url = (
            override.index_url.replace("{variant}", pick.variant)
            if override and override.index_url and pick.variant
            else None
        )
        variant = Choice(pick.variant, pick.why, pick.rejected) if pick.variant else None
        return AcceleratorDecision(
            Choice("cuda", why), variant, url, tuple(warnings), serves=served, unused=unused, select=select
        )


def judge_build(profile: Profile, facts: HostFacts, variant: str) -> tuple[bool, str, str | None]:
    """(serves, why, fix) for one given CUDA build on this host's GPUs and driver, checked as any build is: what
    PyPI's torch is when the PyTorch index does not answer (plan/pypi_torch.py). `variant` 'cuda': unknown CUDA."""
    info = facts.nvidia.value
    if info is None:
        return False, "no working NVIDIA driver", NO_DRIVER_FIX
    if variant == "cuda":
        return True, "PyPI's CUDA for this release is not in llmenv's table: not checked against the driver", None
    visible, _notes = visible_gpus(info)
    override = profile.accelerators.get("cuda")
    pick = _choose_variant(
        torch_version(profile, "cuda") or "",
        TorchVariants((variant,), (), ()),
        info,
        visible,
        override.min_cuda if override else None,
        driver_os(facts),
        platform_key(host_os(facts), host_machine(facts)),
    )
    if pick.variant is None:
        return False, pick.why, pick.fix
    return True, pick.why, None


def _fallback(
    profile: Profile, facts: HostFacts, pick: _Pick, strict: bool, where: str, notes: tuple[str, ...]
) -> AcceleratorDecision:
    message = f"no CUDA build fits this host: {pick.why}"
    if strict:
        raise HostError(message, where=where, fix=f"{pick.fix}; or use --accelerator cpu")
    warning = f"GPU NOT USED: {message}. Installing the CPU build instead; to train on the GPU: {pick.fix}."
    return cpu_decision(
        profile,
        facts,
        "fallback: " + pick.why,
        (("cuda", pick.why), *pick.rejected),
        warnings=(*notes, warning),
        fallback=pick.why,
        fix=pick.fix,
    )


def _unused_warning(info: NvidiaInfo, pick: _Pick) -> str:
    left = "; ".join(f"{gpu_label(g)}: {reason}" for g, reason in pick.unused)
    served = ", ".join(gpu_label(g) for g in pick.served)
    others = [g for g, _ in pick.unused]
    return (
        f"GPU NOT USED: {left}. The {pick.variant} build serves {served}; no single build of this release serves "
        f"every GPU here. Select GPUs with CUDA_VISIBLE_DEVICES: `export {selector(pick.served, info)}` keeps "
        f"programs on the GPUs this build serves; to build for the other GPU instead, run setup with "
        f"`{selector(others, info)}` set."
    )


def _choose(profile: Profile, facts: HostFacts, info: NvidiaInfo, visible: tuple[NvidiaGpu, ...]) -> _Pick:
    os_name = driver_os(facts)
    override = profile.accelerators.get("cuda")
    floor = override.min_cuda if override else None
    version = torch_version(profile, "cuda")
    per_variant = bool(override and override.index_url and "{variant}" in override.index_url and version)
    if not per_variant:
        # Not a per-variant stack (TensorFlow's [and-cuda] brings its own CUDA 12 wheels): check the floor only.
        if floor and not driver_runs_cuda(info.driver, floor, os_name):
            return _Pick(
                None,
                f"{_cannot_run(info, floor, os_name)}, and {profile.name} needs CUDA >= {floor} (min_cuda)",
                (),
                fix=upgrade_fix(floor, os_name),
            )
        why = f"driver {info.driver} (CUDA {info.max_cuda}) runs CUDA {floor or 'builds'}"
        note = compat_note(info.driver, info.max_cuda, floor, os_name) if floor else ""
        return _Pick(None, why + (f"; {note}" if note else ""), (), served=visible)
    assert version is not None
    variants = variants_for(version)
    if variants is None:
        return _Pick(
            None,
            f"llmenv has no variant table for torch {version}",
            (),
            fix="pin a torch release llmenv knows (see `llmenv profiles show torch`), or use --accelerator cpu",
        )
    platform = platform_key(host_os(facts), host_machine(facts))
    return _choose_variant(version, variants, info, visible, floor, os_name, platform)


def _choose_variant(
    version: str,
    variants: TorchVariants,
    info: NvidiaInfo,
    visible: tuple[NvidiaGpu, ...],
    floor: str | None,
    os_name: str,
    platform: str,
) -> _Pick:
    rejected: list[tuple[str, str]] = [(v, "experimental build for this release") for v in variants.experimental]
    runnable: list[str] = []
    blocked: list[str] = []  # published builds this driver is too old for
    for variant in variants.cuda:
        cuda = cuda_of(variant)
        if floor and version_tuple(cuda) < version_tuple(floor):
            rejected.append((variant, f"CUDA {cuda} is below the profile's min_cuda {floor}"))
        elif not driver_runs_cuda(info.driver, cuda, os_name):
            rejected.append((variant, _cannot_run(info, cuda, os_name)))
            blocked.append(variant)
        else:
            runnable.append(variant)

    def ptx_only(variant: str, gpu: NvidiaGpu) -> bool:
        """Reached only through PTX, which this driver cannot JIT-compile (its own CUDA is older than the build's)."""
        cuda, cc = cuda_of(variant), gpu.compute_capability
        if cc is None or not archs_known(cuda, platform) or has_sass(cuda, cc, platform):
            return False
        return runs_on(cuda, cc, platform) and not _native(info, cuda)

    def serves(variant: str, gpu: NvidiaGpu) -> bool:
        cuda = cuda_of(variant)
        cc = gpu.compute_capability
        if ptx_only(variant, gpu):
            return False
        return cc is None or not archs_known(cuda, platform) or runs_on(cuda, cc, platform)

    def missing(variant: str, gpus: list[NvidiaGpu]) -> str:
        sms = ", ".join(f"sm_{g.compute_capability.replace('.', '')}" for g in gpus if g.compute_capability)
        on = "" if platform == "linux-x86_64" else f" for {platform}"
        cuda = cuda_of(variant)
        if gpus and all(ptx_only(variant, g) for g in gpus):
            return (
                f"only PTX for {sms} (CUDA {cuda} builds{on} carry {arch_range(cuda, platform)}), and driver "
                f"{info.driver} (CUDA {info.max_cuda}) cannot JIT-compile CUDA {cuda} PTX: minor-version "
                "compatibility does not cover PTX JIT"
            )
        return f"no kernels for {sms} (CUDA {cuda} builds{on} carry {arch_range(cuda, platform)})"

    known = sorted(
        (g for g in visible if g.compute_capability),
        key=lambda g: (version_tuple(g.compute_capability or "0"), g.memory_mb or 0),
        reverse=True,
    )
    for gpu in known:
        serving = [v for v in runnable if serves(v, gpu)]
        if not serving:
            continue
        best = max(serving, key=lambda v: (sum(serves(v, g) for g in visible), -runnable.index(v)))
        for variant in runnable:
            if variant != best:
                left_out = [g for g in known if not serves(variant, g)]
                rejected.append(
                    (
                        variant,
                        missing(variant, left_out) if left_out else f"older than {best}, which serves the same GPUs",
                    )
                )
        served = tuple(g for g in visible if serves(best, g))
        unused = tuple((g, missing(best, [g])) for g in visible if not serves(best, g))
        labels = ", ".join(
            f"{g.name} sm_{g.compute_capability.replace('.', '')}" for g in served if g.compute_capability
        )
        why = (
            f"newest torch {version} CUDA build that driver {info.driver} (CUDA {info.max_cuda}) runs, with kernels "
            f"for {labels}"
        ) + _note(info, cuda_of(best), os_name)
        return _Pick(best, why, tuple(rejected), served, unused)
    if not known and runnable:
        return _widest(version, runnable, rejected, info, visible, os_name, platform)
    for variant in runnable:
        rejected.append((variant, missing(variant, known)))
    reasons = "; ".join(f"{v}: {w}" for v, w in rejected if not w.startswith("experimental"))
    why = f"every torch {version} CUDA build was ruled out ({reasons})"
    top = known[0] if known else None
    for variant in reversed(blocked):  # the smallest driver upgrade that helps
        if top is None or serves(variant, top):
            cuda = cuda_of(variant)
            target = f" has kernels for {gpu_label(top)}" if top else " runs"
            fix = f"{upgrade_fix(cuda, os_name)}; torch {version}'s {variant} build{target}"
            return _Pick(None, why, tuple(rejected), fix=fix)
    sm = f"sm_{top.compute_capability.replace('.', '')}" if top and top.compute_capability else "this GPU"
    if top is not None and top.compute_capability and retired(top.compute_capability):
        return _Pick(None, why, tuple(rejected), fix=retired_fix(top, version, info))
    fix = (
        f"no torch {version} CUDA build for {platform} has kernels for {sm}: pin a torch release whose CUDA builds "
        "carry it, or use the CPU build"
    )
    return _Pick(None, why, tuple(rejected), fix=fix)


def _widest(
    version: str,
    runnable: list[str],
    rejected: list[tuple[str, str]],
    info: NvidiaInfo,
    visible: tuple[NvidiaGpu, ...],
    os_name: str,
    platform: str,
) -> _Pick:
    """No GPU's architecture is known (a container without nvidia-smi, where only /proc/driver/nvidia/version shows
    the driver): the build whose kernels cover the most GPU generations, never simply the newest (cu130 has no
    Pascal kernels), and a warning that says so."""
    best = max(runnable, key=lambda v: (width(cuda_of(v), platform), -runnable.index(v)))
    rejected += [
        (v, f"covers fewer GPU generations than {best} ({arch_range(cuda_of(v), platform)})")
        for v in runnable
        if v != best
    ]
    cause = (
        f"nvidia-smi printed no compute capability for {', '.join(g.name for g in visible)}"
        if visible
        else "the driver was seen only in /proc/driver/nvidia/version (no nvidia-smi: a container without the "
        "`utility` driver capability, or the utility not installed)"
    )
    covered = arch_range(cuda_of(best), platform)
    why = (
        f"GPU architecture unknown ({cause}): {best} ({covered}) is the torch {version} CUDA build covering the "
        f"most GPU generations that driver {info.driver} (CUDA {info.max_cuda}) runs"
    ) + _note(info, cuda_of(best), os_name)
    warning = (
        f"{ARCH_UNKNOWN}: {cause}, so llmenv cannot check that the {best} build has kernels for this GPU. It has "
        f"{covered}; a GPU outside that list fails at run time with 'no kernel image is available for execution on "
        "the device'. To check: make `nvidia-smi` work here (in a container, NVIDIA_DRIVER_CAPABILITIES=compute,"
        "utility), then run setup again"
    )
    return _Pick(best, why, tuple(rejected), visible, warning=warning)


def _native(info: NvidiaInfo, cuda: str) -> bool:
    """The driver's own CUDA (nvidia-smi's 'CUDA Version', the same number doctor prints) is at least `cuda`."""
    return info.max_cuda is not None and version_tuple(cuda) <= version_tuple(info.max_cuda)


def _note(info: NvidiaInfo, cuda: str, os_name: str) -> str:
    note = "" if _native(info, cuda) else compat_note(info.driver, info.max_cuda, cuda, os_name)
    return f"; {note}" if note else ""


def _cannot_run(info: NvidiaInfo, cuda: str, os_name: str) -> str:
    family = family_min_driver(cuda, os_name)
    major = version_tuple(cuda)[0]
    need = f" (CUDA {major}.x builds need a driver >= {family})" if family else ""
    return f"driver {info.driver} (CUDA {info.max_cuda}) cannot run CUDA {cuda} builds{need}"


__all__ = ["ARCH_UNKNOWN", "BROKEN_FIX", "LOST", "LOST_FIX", "NO_DRIVER_FIX", "Cuda", "judge_build", "lost_warning"]
