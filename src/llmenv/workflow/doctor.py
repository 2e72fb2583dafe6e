"""doctor = load profile -> probe host -> the plan setup would make -> host rules -> (env checks) -> report

The host is judged by the plan (`plan_for`, the function setup uses): its accelerator decision, not a second one.
When no plan can be made (no suitable Python), the accelerator decision is still the plan's own resolver's."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv.probe import HostFacts, probe_host
from llmenv.profiles.model import Profile
from llmenv.verify.model import Finding, Status, unique_ids, worst
from llmenv.workflow.common import DEFAULT_PROFILE


@dataclass(frozen=True)
class DoctorReport:
    findings: tuple[Finding, ...]
    facts: HostFacts
    profile: Profile | None
    profile_is_default: bool
    env: Path | None
    accelerator: str
    seconds: float
    plan: Any = None  # llmenv.plan.model.Plan: what `llmenv setup` would do here, when it could be planned

    @property
    def verdict(self) -> Status:
        return worst(list(self.findings))

    @property
    def exit_code(self) -> int:
        return 1 if self.verdict is Status.FAIL else 0


def doctor(
    profile_ref: str | None,
    env: Path | None,
    *,
    accelerator: str | None = None,
    offline: bool = False,
    no_gpu: bool = False,
) -> DoctorReport:
    from llmenv.profiles.load import load_profile
    from llmenv.verify.host import context_for, verify_host

    start = time.perf_counter()
    profile = load_profile(profile_ref or DEFAULT_PROFILE)
    wanted = accelerator or profile.accelerator
    facts = probe_host(offline=offline, env_path=env or Path(profile.env))
    plan = _plan(profile, facts, env, wanted, offline)
    ctx = context_for(profile, facts, wanted, plan)
    findings = verify_host(facts, ctx)
    if env is not None:
        from llmenv.verify.env import verify_env

        findings += verify_env(env, profile, facts, ctx.decision or wanted)
    if no_gpu:
        # A container build or GPU-less CI job building for a GPU: what needs the device is not judged here.
        findings = [
            Finding(f.id, f.area, Status.SKIP, f.title, f"skipped (--no-gpu): {f.evidence}") if f.area == "gpu" else f
            for f in findings
        ]
    return DoctorReport(
        tuple(unique_ids(findings)),
        facts,
        profile,
        profile_ref is None,
        env,
        wanted,
        time.perf_counter() - start,
        plan,
    )


def _plan(profile: Profile, facts: HostFacts, env: Path | None, accelerator: str, offline: bool) -> Any:
    """The plan `llmenv setup` would make on this host, or None where setup would refuse (the rules say why)."""
    import os

    from llmenv.errors import LlmenvError
    from llmenv.workflow.common import SetupOptions, plan_for

    target = Path(os.path.abspath(env or profile.env))
    options = SetupOptions(profile=profile.name, env=target, accelerator=accelerator, offline=offline)
    try:
        return plan_for(profile, facts, options, target)
    except LlmenvError:
        return None


__all__ = ["DoctorReport", "doctor"]
