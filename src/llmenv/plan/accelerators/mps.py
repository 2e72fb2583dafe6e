"""Apple MPS: PyPI's macOS arm64 torch wheels carry it; no variant index, no driver to check."""

from __future__ import annotations

from llmenv.plan.accelerators.base import Detected
from llmenv.plan.model import AcceleratorDecision, Choice
from llmenv.probe import HostFacts
from llmenv.profiles.model import Profile


class Mps:
    name = "mps"

    def detect(self, facts: HostFacts) -> Detected | None:
        apple = facts.apple.value
        return Detected("Apple Silicon with MPS") if apple and apple.mps_capable else None

    def decide(self, profile: Profile, facts: HostFacts, why: str, strict: bool) -> AcceleratorDecision:
        return AcceleratorDecision(Choice("mps", why), serves=("Apple GPU (MPS)",))


__all__ = ["Mps"]
