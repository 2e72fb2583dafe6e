"""doctor = load profile -> probe host -> host rules -> (env checks) -> report"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

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
    findings = verify_host(facts, context_for(profile, facts, wanted))
    if env is not None:
        from llmenv.execute.store import EnvStore, check_store_is_private
        from llmenv.verify.env import verify_env

        # Checking an env runs its Python: not one from a store another user owns or can write (exit 5).
        check_store_is_private(EnvStore.at(env))

        findings += verify_env(env, profile, facts, wanted)
    if no_gpu:
        # A container build or GPU-less CI job building for a GPU: what needs the device is not judged here.
        findings = [
            Finding(f.id, f.area, Status.SKIP, f.title, f"skipped (--no-gpu): {f.evidence}") if f.area == "gpu" else f
            for f in findings
        ]
    return DoctorReport(
        tuple(unique_ids(findings)), facts, profile, profile_ref is None, env, wanted, time.perf_counter() - start
    )


__all__ = ["DoctorReport", "doctor"]
