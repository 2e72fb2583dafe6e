"""The interface every accelerator module implements, and the facts they all read.

Like pre-commit's language registry and cibuildwheel's platforms: one small module per accelerator, each with its own
detection (from probed facts), variant rules and fix texts, behind this Protocol; `resolve` in `__init__` is the
only place that picks one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from llmenv.plan.model import AcceleratorDecision
from llmenv.plan.needs import pinned_version
from llmenv.probe import HostFacts
from llmenv.profiles.model import Profile


@dataclass(frozen=True)
class Detected:
    """This accelerator's hardware is on the host (why), or its driver is installed but not working (broken)."""

    why: str
    broken: str | None = None


class Accelerator(Protocol):
    name: str

    def detect(self, facts: HostFacts) -> Detected | None:
        """The hardware this accelerator needs, as the probes saw it; None when there is none."""
        ...

    def decide(self, profile: Profile, facts: HostFacts, why: str, strict: bool) -> AcceleratorDecision:
        """The build for this host. `strict` (asked for by name, or the profile requires a GPU): raise HostError
        when no build fits; otherwise fall back to the CPU build with a loud warning."""
        ...


def torch_version(profile: Profile, accelerator: str) -> str | None:
    for text in profile.packages_for(accelerator):
        requirement = Requirement(text)
        if canonicalize_name(requirement.name) == "torch":
            return pinned_version(requirement)
    return None


def host_os(facts: HostFacts) -> str:
    return facts.system.value.os if facts.system.value else "Linux"


def driver_os(facts: HostFacts) -> str:
    """Whose driver tables judge the NVIDIA driver: under WSL nvidia-smi reports the Windows driver, whose floors
    differ from Linux's (CUDA 12.x needs >= 528.33 on Windows, >= 525.60.13 on Linux)."""
    system = facts.system.value
    return "Windows" if system and (system.os == "Windows" or system.wsl) else host_os(facts)


def host_machine(facts: HostFacts) -> str:
    return facts.system.value.machine if facts.system.value else "x86_64"


__all__ = ["Accelerator", "Detected", "driver_os", "host_machine", "host_os", "torch_version"]
