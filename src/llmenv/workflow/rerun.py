"""A re-run's fast path: recompute the plan from cheap facts and compare it, the installed distributions and the
host facts with the env's stamp; nothing runs in the env (docs/benchmarks.md: no-op re-run)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv import __version__
from llmenv.profiles.model import Profile
from llmenv.workflow.common import SetupOptions, plan_for, with_lock


@dataclass(frozen=True)
class Rerun:
    """What a re-run found: `plan` and `current` when nothing changed, else the changes in words.

    `repair` is set when the plan still holds but the environment drifted from it (a package removed, changed or
    added by hand, its interpreter gone): the new generation then repairs rather than updates."""

    plan: Any
    current: Path | None
    changes: tuple[str, ...]
    repair: bool


def rerun_plan(store: Any, profile: Profile, options: SetupOptions) -> Rerun:
    """The fast path of a re-run: recompute the plan from cheap facts, compare it, the installed distributions and
    the host facts with the stamp. Starts no process in the env (docs/benchmarks.md: no-op re-run)."""
    from llmenv.errors import LlmenvError
    from llmenv.plan.drift import host_changes, host_fingerprint, plan_changes
    from llmenv.probe import probe_for_rerun
    from llmenv.probe.torch_sources import TorchSources

    stamp = store.stamp()
    current = store.current()
    if not stamp or current is None:
        return Rerun(None, None, (), repair=False)
    python, version = stamp.get("python"), stamp.get("python_version")
    if not isinstance(python, str) or not isinstance(version, str):
        return Rerun(None, None, (), repair=False)  # a stamp from another version, or edited by hand: rebuild
    facts = probe_for_rerun(python, version, "")
    try:
        # Reachability of the variant index is taken from the stamp: probing it would cost up to seconds.
        fallback = bool(stamp.get("variant_index_fallback"))
        torch_sources = TorchSources.from_dict(stamp.get("pypi_torch"))
        plan = plan_for(profile, facts, options, store.env, stamped_fallback=fallback, torch_sources=torch_sources)
        plan = with_lock(plan, profile, facts)
    except LlmenvError:
        return Rerun(None, None, (), repair=False)
    if stamp.get("key") != plan.stamp_key(__version__) and not _lock_pins_the_env(stamp, plan, current):
        # The variant (cu126 → cu130) when the profile has one, else the accelerator (cpu → cuda).
        variant = (
            stamp.get("variant") or stamp.get("accelerator"),
            plan.variant.value if plan.variant else plan.accelerator.value,
        )
        now = {**plan.to_dict(), "python": plan.python.value, "backend": plan.backend.value}
        now |= {"accelerator": plan.accelerator.value, "llmenv_version": __version__}
        changes = host_changes(stamp.get("host"), host_fingerprint(facts, plan.python_version), variant)
        changes += plan_changes(stamp, now)
        return Rerun(None, None, tuple(changes or ["the plan changed (indexes, lock file or pins)"]), repair=False)
    drift = installed_drift(stamp, current)
    if drift:
        return Rerun(None, None, tuple(drift), repair=True)
    return Rerun(plan, current, (), repair=False)


def _lock_pins_the_env(stamp: dict[str, Any], plan: Any, current: Path) -> bool:
    """A lock made after the env was built (`llmenv lock`, then `setup` again) that pins exactly the versions the
    env has: nothing to install, so no rebuild. Only for an env built without a lock (its stamp's key is this plan's
    key without the lock); a lock that replaced another one is an install with hash checking, as before."""
    import dataclasses

    from llmenv.door.files import LOCK, read_text_if_present
    from llmenv.probe.installed import installed_distributions, normalize

    if not plan.lock_file:
        return False
    unlocked = dataclasses.replace(plan, lock_file=None, lock_sha256=None)
    if stamp.get("key") != unlocked.stamp_key(__version__):
        return False
    text = read_text_if_present(Path(plan.lock_file), LOCK) or ""
    pins = {
        normalize(name): version
        for name, version in re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", text, re.M)
    }
    installed = installed_distributions(current)
    return bool(pins) and all(installed.get(name) == version for name, version in pins.items())


def installed_drift(stamp: dict[str, Any], current: Path) -> list[str]:
    """What was installed, removed or changed in the env since its stamp, in words ([] when nothing)."""
    from packaging.markers import default_environment

    from llmenv.plan.drift import installed_changes
    from llmenv.probe.installed import installed_distributions, requirements_in
    from llmenv.verify.env import env_python

    python = env_python(current)
    if not python.exists():
        return [f"the environment's Python {python} no longer runs (its base interpreter was removed?)"]
    exposed = _exposed(current)
    if exposed:  # never "up to date" over files another user could have changed (a .pth runs at every start)
        return [exposed]
    recorded = stamp.get("installed")
    if not isinstance(recorded, dict):
        return []  # a stamp from before fingerprints: nothing to compare with
    now = installed_distributions(current)
    if now == recorded:
        return []
    requires = [(r.dependent, r.dependent_version, r.requirement) for r in requirements_in(current)]
    version = str(stamp.get("python_version") or "")
    markers = {str(k): str(v) for k, v in default_environment().items()}
    if version:
        markers |= {"python_version": ".".join(version.split(".")[:2]), "python_full_version": version}
    return installed_changes(recorded, now, requires, markers)


def _exposed(current: Path) -> str | None:
    """Paths in the env its group or other users can write, in words (None: none), by `llmenv.trust`'s walk."""
    import os

    from llmenv.trust import writable_by_others

    shown, count = writable_by_others(os.path.realpath(current), limit=1)
    if not count:
        return None
    return f"{count} path{'s' if count != 1 else ''} in it (such as {shown[0]}) can be written by others: rebuilding"


def drop_leftovers(store: Any) -> None:
    """An up-to-date re-run still removes what a killed run left (a gen-N never committed), when no other setup
    holds the lock (that one may be building it right now)."""
    from llmenv.errors import LlmenvError

    if not store.unfinished():
        return
    try:
        with store.locked(0.0):
            store.clean(background=True)
    except LlmenvError:
        pass  # busy or not writable: the next setup that builds will clean up


__all__ = ["Rerun", "drop_leftovers", "installed_drift", "rerun_plan"]
