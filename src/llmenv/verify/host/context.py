"""What the host rules are judged against: the profile's needs and the accelerator asked for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmenv.plan.needs import Needs, needs_for
from llmenv.plan.python import install_python_fix  # re-exported: the rules live in plan/python.py
from llmenv.probe import HostFacts
from llmenv.profiles.model import Profile
from llmenv.verify.model import Finding

if TYPE_CHECKING:
    from llmenv.plan.model import Plan

SUPPORTED_MACHINES = {"x86_64", "amd64", "aarch64", "arm64"}


@dataclass(frozen=True)
class HostContext:
    needs: Needs | None = None  # None: no profile given, only profile-free rules apply
    accelerator: str = "auto"  # what the profile or --accelerator asks for
    profile_name: str | None = None
    min_cuda: str | None = None  # the profile's CUDA floor, used when the accelerator is cuda or auto
    plan: Plan | None = None  # the plan setup would make here (None: no profile, or no plan is possible)


Rule = Callable[[HostFacts, HostContext], list[Finding]]


def host_os(facts: HostFacts) -> str:
    return facts.system.value.os if facts.system.value else "Linux"


def context_for(profile: Profile, facts: HostFacts, accelerator: str) -> HostContext:
    """Needs are computed for what `auto` becomes on this host, so a GPU host is judged against the GPU build."""
    resolved = resolve_accelerator(accelerator, facts)
    cuda = profile.accelerators.get("cuda")
    return HostContext(needs_for(profile, resolved), accelerator, profile.name, cuda.min_cuda if cuda else None)


def resolve_accelerator(accelerator: str, facts: HostFacts) -> str:
    if accelerator != "auto":
        return accelerator
    if facts.nvidia.value:
        return "cuda"
    if facts.rocm.value:
        return "rocm"
    if facts.apple.value and facts.apple.value.mps_capable:
        return "mps"
    return "cpu"


__all__ = [
    "SUPPORTED_MACHINES",
    "HostContext",
    "Rule",
    "context_for",
    "host_os",
    "install_python_fix",
    "resolve_accelerator",
]
