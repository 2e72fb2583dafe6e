"""AMD ROCm: the ROCm build PyTorch publishes for the pinned release, from the profile's variant index."""

from __future__ import annotations

from llmenv.plan.accelerators.base import Detected, torch_version
from llmenv.plan.model import AcceleratorDecision, Choice
from llmenv.probe import HostFacts
from llmenv.profiles.model import Profile
from llmenv.tables.torch import variants_for


class Rocm:
    name = "rocm"

    def detect(self, facts: HostFacts) -> Detected | None:
        return Detected(f"ROCm GPU found ({facts.rocm.source})") if facts.rocm.value else None

    def decide(self, profile: Profile, facts: HostFacts, why: str, strict: bool) -> AcceleratorDecision:
        rocm = facts.rocm.value
        serves = tuple(f"{g.name} ({g.gfx})" for g in rocm.gpus) if rocm else ()
        version = torch_version(profile, "rocm")
        variants = variants_for(version or "")
        override = profile.accelerators.get("rocm")
        if variants and variants.rocm and override and override.index_url:
            variant = variants.rocm[0]
            return AcceleratorDecision(
                Choice("rocm", why),
                Choice(variant, f"ROCm build published for torch {version}"),
                override.index_url.replace("{variant}", variant),
                serves=serves,
            )
        return AcceleratorDecision(Choice("rocm", why), serves=serves)


__all__ = ["Rocm"]
