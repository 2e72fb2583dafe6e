"""What the host rules are judged against: the profile's needs and the plan's accelerator decision.

The decision is never remade here: it is the plan maker's (made once per command), so doctor judges the host by
what setup would build. When it refuses (e.g. --accelerator cuda where no CUDA build fits), the refusal is kept as
`decision_error` and becomes a failing finding."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from llmenv.errors import HostError
from llmenv.plan.model import AcceleratorDecision, Plan
from llmenv.plan.needs import Needs, needs_for
from llmenv.plan.python import install_python_fix  # re-exported: the rules live in plan/python.py
from llmenv.probe import HostFacts
from llmenv.profiles.model import Profile
from llmenv.verify.model import Finding

SUPPORTED_MACHINES = {"x86_64", "amd64", "aarch64", "arm64"}


@dataclass(frozen=True)
class HostContext:
    needs: Needs | None = None  # None: no profile given, only profile-free rules apply
    accelerator: str = "auto"  # what the profile or --accelerator asks for
    profile_name: str | None = None
    min_cuda: str | None = None  # the profile's CUDA floor
    decision: AcceleratorDecision | None = None  # the plan's accelerator decision (None: no profile, or refused)
    decision_error: HostError | None = None  # why resolve refused what was asked for
    plan: Plan | None = None  # the plan setup would make, when one could be made (doctor computes it)


Rule = Callable[[HostFacts, HostContext], list[Finding]]


def host_os(facts: HostFacts) -> str:
    return facts.system.value.os if facts.system.value else "Linux"


def context_for(
    profile: Profile,
    facts: HostFacts,
    accelerator: str,
    plan: Plan | None = None,
    decision: AcceleratorDecision | None = None,
    error: HostError | None = None,
) -> HostContext:
    """Needs are those of the build the plan chose, so a GPU host is judged against the GPU build it gets.
    `decision`/`error`: the plan maker's accelerator decision, or its refusal, when no plan could be made."""
    decision = plan.decision if plan is not None else decision
    if decision is None and error is None:
        # A bug, not a host fact: the decision is the plan maker's, made once (tests: tests/helpers/host_context.py).
        raise ValueError("context_for needs the plan maker's accelerator decision (or its refusal)")
    resolved = decision.accelerator.value if decision else (accelerator if accelerator != "auto" else "cpu")
    cuda = profile.accelerators.get("cuda")
    return HostContext(
        needs_for(profile, resolved),
        accelerator,
        profile.name,
        cuda.min_cuda if cuda else None,
        decision,
        error,
        plan,
    )


__all__ = ["SUPPORTED_MACHINES", "HostContext", "Rule", "context_for", "host_os", "install_python_fix"]
