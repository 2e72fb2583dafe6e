"""The host context as doctor builds it: the plan maker's accelerator decision (or its refusal), made once."""

from __future__ import annotations

from llmenv.errors import HostError
from llmenv.plan.accelerators import resolve
from llmenv.plan.model import Plan
from llmenv.probe import HostFacts
from llmenv.profiles.model import Profile
from llmenv.verify.host.context import HostContext, context_for


def host_context(profile: Profile, facts: HostFacts, accelerator: str, plan: Plan | None = None) -> HostContext:
    try:
        return context_for(profile, facts, accelerator, plan, resolve(profile, facts, accelerator))
    except HostError as exc:
        return context_for(profile, facts, accelerator, plan, None, exc)
