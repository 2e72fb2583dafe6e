"""AMD ROCm: the ROCm build PyTorch publishes for the pinned release, from the profile's variant index, checked
against each GPU's gfx target (`llmenv.tables.rocm`): a build without kernels for the GPU is never planned."""

from __future__ import annotations

from llmenv.errors import HostError
from llmenv.plan.accelerators.base import Detected, torch_version
from llmenv.plan.accelerators.cpu import cpu_decision
from llmenv.plan.model import AcceleratorDecision, Choice
from llmenv.probe import HostFacts
from llmenv.probe.gpu_rocm import RocmGpu
from llmenv.profiles.model import Profile
from llmenv.tables.rocm import GFX, base_gfx, carries
from llmenv.tables.torch import variants_for

OVERRIDE_NOTE = (
    "the unofficial HSA_OVERRIDE_GFX_VERSION route (making ROCm treat the GPU as a supported target, e.g. "
    "HSA_OVERRIDE_GFX_VERSION=10.3.0 for gfx1031/gfx1032) is not supported by AMD or PyTorch, so llmenv does not "
    "plan for it"
)


class Rocm:
    name = "rocm"

    def detect(self, facts: HostFacts) -> Detected | None:
        return Detected(f"ROCm GPU found ({facts.rocm.source})") if facts.rocm.value else None

    def decide(self, profile: Profile, facts: HostFacts, why: str, strict: bool) -> AcceleratorDecision:
        rocm = facts.rocm.value
        gpus = rocm.gpus if rocm else ()
        version = torch_version(profile, "rocm")
        variants = variants_for(version or "")
        override = profile.accelerators.get("rocm")
        if not (variants and variants.rocm and override and override.index_url):
            return AcceleratorDecision(Choice("rocm", why), serves=tuple(f"{g.name} ({g.gfx})" for g in gpus))
        variant = variants.rocm[0]
        served = [g for g in gpus if carries(variant, g.gfx) is not False]
        left = [g for g in gpus if carries(variant, g.gfx) is False]
        if gpus and not served:
            return _fallback(profile, facts, why, strict, variant, version or "", left)
        targets = GFX.get(variant)
        checked = f"; kernels for {', '.join(sorted({base_gfx(g.gfx) for g in served}))}" if targets else ""
        unused = tuple((f"{g.name} ({g.gfx})", f"the {variant} build has no {base_gfx(g.gfx)} kernels") for g in left)
        warnings = tuple(f"GPU NOT USED: {g}: {reason}; {OVERRIDE_NOTE}." for g, reason in unused)
        return AcceleratorDecision(
            Choice("rocm", why),
            Choice(variant, f"ROCm build published for torch {version}{checked}"),
            override.index_url.replace("{variant}", variant),
            warnings,
            serves=tuple(f"{g.name} ({g.gfx})" for g in served),
            unused=unused,
        )


def _fallback(
    profile: Profile, facts: HostFacts, why: str, strict: bool, variant: str, version: str, left: list[RocmGpu]
) -> AcceleratorDecision:
    names = ", ".join(f"{g.name} ({g.gfx})" for g in left)
    targets = ", ".join(GFX.get(variant, ()))
    reason = f"torch {version}'s {variant} build has no kernels for {names} (it carries {targets})"
    fix = (
        "train on the CPU build, or on a GPU whose target the build carries; "
        f"{OVERRIDE_NOTE}; AMD's ROCm compatibility matrix lists the supported GPUs"
    )
    if strict:
        raise HostError(f"no ROCm build fits this host: {reason}", where=why, fix=fix)
    warning = f"GPU NOT USED: {reason}. Installing the CPU build instead: it would fail at run time with 'HIP error: invalid device function'; {OVERRIDE_NOTE}."
    return cpu_decision(
        profile, facts, "fallback: " + reason, (("rocm", reason),), warnings=(warning,), fallback=reason, fix=fix
    )


__all__ = ["OVERRIDE_NOTE", "Rocm"]
