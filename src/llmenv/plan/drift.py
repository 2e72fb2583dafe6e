"""Drift: how an existing environment and the host differ from what its stamp recorded, in words.

A re-run of setup is a no-op only when three things still match: the plan (profile, interpreter, variant, pins,
indexes), what is installed (names and versions of the distributions), and the host facts the plan was made from
(Python, driver, GPUs). Each difference becomes one sentence the user can act on ("numpy was removed", "sympy
1.12 conflicts with torch 2.13.0+cpu (requires sympy>=1.13.3)", "driver 550.54 → 580.65: cu130 now possible").
Pure functions: the facts come in, sentences go out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


def host_fingerprint(facts: Any, python_version: str) -> dict[str, Any]:
    """The host facts a plan depends on, in a form the stamp can hold and a re-run can compare cheaply."""
    nvidia = getattr(getattr(facts, "nvidia", None), "value", None)
    rocm = getattr(getattr(facts, "rocm", None), "value", None)
    gpus = [
        f"{getattr(g, 'name', '?')} (sm {getattr(g, 'compute_capability', None) or '?'})"
        for g in getattr(nvidia, "gpus", ()) or ()
    ]
    gpus += [f"{getattr(g, 'name', '?')} ({getattr(g, 'gfx', '?')})" for g in getattr(rocm, "gpus", ()) or ()]
    return {
        "python_version": python_version,
        "nvidia_driver": getattr(nvidia, "driver", None),
        "rocm": getattr(rocm, "version", None),
        "gpus": sorted(gpus),
    }


def host_changes(
    recorded: Mapping[str, Any] | None, now: Mapping[str, Any], variant: tuple[str | None, str | None]
) -> list[str]:
    """Sentences for each host fact that changed; `variant` is (stamped, now) so a changed choice is named."""
    if not recorded:
        return []
    out: list[str] = []
    old_variant, new_variant = variant
    consequence = f": {new_variant} now possible" if new_variant != old_variant and new_variant else ""
    labels = {"nvidia_driver": "NVIDIA driver", "rocm": "ROCm", "python_version": "Python"}
    for key, label in labels.items():
        before, after = recorded.get(key), now.get(key)
        if before != after:
            out.append(f"{label} {before or 'none'} → {after or 'none'}{consequence}")
            consequence = ""
    if sorted(recorded.get("gpus") or []) != sorted(now.get("gpus") or []):
        out.append(
            f"GPUs {', '.join(recorded.get('gpus') or []) or 'none'} → {', '.join(now.get('gpus') or []) or 'none'}"
            + consequence
        )
        consequence = ""
    if consequence:
        out.append(f"the variant changed: {old_variant} → {new_variant}")
    return out


def plan_changes(stamp: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """Sentences for the plan fields that differ between the stamp and the plan a re-run would make now."""
    out: list[str] = []
    if stamp.get("profile_hash") != now.get("profile_hash"):
        out.append(f"profile {now.get('profile')} changed")
    for key, label in (("python", "interpreter"), ("backend", "backend"), ("accelerator", "accelerator")):
        if stamp.get(key) != now.get(key):
            out.append(f"{label} {stamp.get(key)} → {now.get(key)}")
    old, new = set(stamp.get("requirements") or []), set(now.get("requirements") or [])
    if old != new and stamp.get("profile_hash") == now.get("profile_hash"):
        out.append(f"requirements changed: {', '.join(sorted(new - old)) or 'removed ' + ', '.join(sorted(old - new))}")
    if stamp.get("llmenv_version") != now.get("llmenv_version"):
        out.append(f"llmenv {stamp.get('llmenv_version')} → {now.get('llmenv_version')}")
    return out


def installed_changes(
    recorded: Mapping[str, str],
    now: Mapping[str, str],
    requires: Iterable[tuple[str, str, str]],
    marker_env: Mapping[str, str] | None = None,
) -> list[str]:
    """Sentences for each distribution removed, added or changed, naming any installed package it now breaks;
    [] when the only change is packages added beside the profile's that break nothing.

    Such an addition (a user's `pip install jupyter`) leaves every pin in place and every requirement met, so
    `llmenv doctor --env` passes and setup agrees: it is not drift, and rebuilding would throw the user's work away.
    `requires` holds (dependent, dependent's version, Requires-Dist text) for the installed distributions."""
    out: list[str] = []
    broken = _broken(now, requires, marker_env)
    harmful = False
    for name in sorted(set(recorded) | set(now)):
        before, after = recorded.get(name), now.get(name)
        if before == after:
            continue
        if after is None:
            out.append(f"{name} was removed" + _required_by(name, broken))
            harmful = True
        elif before is None:
            out.append(f"{name} {after} was added" + _conflict(name, after, broken) + _unmet(name, broken))
        else:
            out.append(f"{name} {before} → {after}" + _conflict(name, after, broken) + _unmet(name, broken))
            harmful = True
    return out if harmful or broken else []


def _unmet(dependent: str, broken: Mapping[str, list[str]]) -> str:
    """ ", which needs alpha<2 (alpha 2.0 is installed)" for a changed or added package whose own requirement fails."""
    needs = [need for entries in broken.values() for need in entries if need.startswith(f"{dependent} ")]
    return f", whose requirements are not met: {' and '.join(needs)}" if needs else ""


def _broken(
    now: Mapping[str, str], requires: Iterable[tuple[str, str, str]], marker_env: Mapping[str, str] | None
) -> dict[str, list[str]]:
    """{required name: ["torch 2.13.0+cpu (requires sympy>=1.13.3)", ...]} for requirements `now` does not meet."""
    out: dict[str, list[str]] = {}
    for dependent, version, text in requires:
        if dependent not in now:
            continue
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        env = {**(marker_env or {}), "extra": ""}
        if requirement.marker is not None and not requirement.marker.evaluate(env):
            continue
        name = canonicalize_name(requirement.name)
        installed = now.get(name)
        if installed is not None and _satisfies(installed, str(requirement.specifier)):
            continue
        out.setdefault(name, []).append(f"{dependent} {version} (requires {name}{requirement.specifier})")
    return out


def _satisfies(version: str, specifier: str) -> bool:
    from packaging.specifiers import SpecifierSet

    try:
        return SpecifierSet(specifier).contains(Version(version), prereleases=True)
    except InvalidVersion:
        return True  # an unparsable version is not llmenv's to judge


def _required_by(name: str, broken: Mapping[str, list[str]]) -> str:
    return f", which {' and '.join(broken[name])} needs" if name in broken else ""


def _conflict(name: str, version: str, broken: Mapping[str, list[str]]) -> str:
    return f", which conflicts with {' and '.join(broken[name])}" if name in broken else ""


__all__ = ["host_changes", "host_fingerprint", "installed_changes", "plan_changes"]
