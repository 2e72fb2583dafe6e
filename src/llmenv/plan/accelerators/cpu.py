"""The CPU build: always possible; the fallback every GPU accelerator returns when no build of its own fits."""

from __future__ import annotations

from llmenv.plan.accelerators.base import Detected, host_os
from llmenv.plan.model import AcceleratorDecision, Choice
from llmenv.probe import HostFacts
from llmenv.profiles.model import Profile


def cpu_decision(
    profile: Profile,
    facts: HostFacts,
    why: str,
    rejected: tuple[tuple[str, str], ...] = (),
    *,
    warnings: tuple[str, ...] = (),
    fallback: str | None = None,
    fix: str | None = None,
    broken: str | None = None,
) -> AcceleratorDecision:
    override = profile.accelerators.get("cpu")
    variant = index = None
    if override and override.index_url and host_os(facts) != "Darwin":
        variant = Choice("cpu", "CPU-only wheels (PyPI's Linux torch is a multi-GB CUDA build)")
        index = override.index_url.replace("{variant}", "cpu")
    return AcceleratorDecision(
        Choice("cpu", why, rejected), variant, index, warnings, fallback=fallback, fix=fix, broken=broken
    )


class Cpu:
    name = "cpu"

    def detect(self, facts: HostFacts) -> Detected | None:
        return Detected("no GPU found (NVIDIA, ROCm or Apple MPS)")

    def decide(self, profile: Profile, facts: HostFacts, why: str, strict: bool) -> AcceleratorDecision:
        return cpu_decision(profile, facts, why)


__all__ = ["Cpu", "cpu_decision"]
