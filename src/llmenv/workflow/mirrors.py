"""Which mirror set was asked for (--mirror, LLMENV_MIRROR, the profile's `mirror:`), the probes `auto` needs,
and the one pure decision (plan/mirrors.py) that the plan then carries."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from llmenv.plan.mirrors import MirrorPlan, MirrorProbe, choose_mirrors
from llmenv.plan.needs import pinned_version
from llmenv.probe import HostFacts
from llmenv.probe.mirrors import Wanted, probe_mirrors
from llmenv.profiles.model import Profile
from llmenv.tables.mirrors import ROLES

ENV_VAR = "LLMENV_MIRROR"


@dataclass(frozen=True)
class Request:
    name: str | None
    by: str  # "--mirror", "LLMENV_MIRROR=", "profile mirror:"


def requested(cli_value: str | None, profile: Profile | None) -> Request:
    """--mirror wins over LLMENV_MIRROR, which wins over the profile's `mirror:` key. An empty --mirror is a
    mistake (a variable that expanded to nothing), not a request for no mirror: it is refused."""
    if cli_value is not None and not cli_value.strip():
        from llmenv.errors import UsageError
        from llmenv.profiles.mirrors import known_sets, mirrors_file

        raise UsageError(
            "the mirror set name is empty",
            where="--mirror",
            fix=f"give auto, upstream or one of {', '.join(sorted(known_sets()))} (user sets go in {mirrors_file()}),"
            " or leave the option out",
        )
    if cli_value:
        return Request(cli_value, "--mirror")
    if os.environ.get(ENV_VAR):
        return Request(os.environ[ENV_VAR], f"{ENV_VAR}=")
    mirror = getattr(profile, "mirror", None) if profile is not None else None
    if mirror:
        return Request(str(mirror), "profile mirror:")
    return Request(None, "")


def wanted_for(profile: Profile, accelerator: str, variant: str | None, roles: tuple[str, ...]) -> Wanted:
    override = profile.accelerators.get(accelerator)
    index_packages = {canonicalize_name(p) for p in (override.index_packages if override else [])}
    torch_file = pypi_project = pypi_file = None
    for text in profile.packages_for(accelerator):
        requirement = Requirement(text)
        version = pinned_version(requirement)
        name = canonicalize_name(requirement.name)
        if version is None:
            continue
        if name in index_packages and variant and torch_file is None:
            label = version if "+" in version else f"{version}+{variant}"
            torch_file = f"{name.replace('-', '_')}-{label}-"
        elif name not in index_packages and pypi_project is None:
            pypi_project, pypi_file = name, f"{name.replace('-', '_')}-{version}"
    return Wanted(variant, torch_file, pypi_project, pypi_file, roles)


def roles_needed(profile: Profile, facts: HostFacts, options: Any, accelerator: str) -> tuple[str, ...]:
    """What `auto` must probe for this setup: packages always, the Python builds only when none fits here."""
    from llmenv.plan.managed import managed_python
    from llmenv.plan.needs import needs_for

    report = facts.interpreters.value
    if report is None or not options.managed_python_dir:
        return ("pypi", "pytorch")
    needs = needs_for(profile, accelerator)
    managed = managed_python(report, needs, options.python, options.uv_available, options.managed_python_dir, None)
    return ("pypi", "pytorch", "python") if managed else ("pypi", "pytorch")


def decide(
    request: Request,
    profile: Profile,
    facts: HostFacts,
    accelerator: str,
    variant: str | None,
    *,
    probe: bool,
    roles: tuple[str, ...] = ("pypi", "pytorch"),
) -> MirrorPlan:
    from llmenv.profiles.mirrors import find_set, known_sets

    if request.name is None:
        return choose_mirrors(None, "", {}, variant)
    sets = known_sets()
    if request.name not in ("auto", "upstream", "none"):
        find_set(request.name, sets, request.by.rstrip("=:"))
    probes: list[MirrorProbe] = []
    if request.name == "auto" and probe:
        wanted = wanted_for(profile, accelerator, variant, tuple(r for r in roles if r in ROLES))
        config = facts.pip_config.value
        configured = next(iter(config.get("index-url")), None) if config else None
        cert = next(iter(config.get("cert")), None) if config else None
        probes = probe_mirrors(sets, wanted, configured, cafile=cert)
    return choose_mirrors(request.name, request.by, sets, variant, probes)


@dataclass(frozen=True)
class Sources:
    """Doctor's view of the mirror sets: the decision the plan takes (the same `choose_mirrors` setup calls),
    the probes behind it, and the roles this plan needs (the only ones doctor judges)."""

    plan: MirrorPlan
    probes: tuple[MirrorProbe, ...]
    needed: tuple[str, ...]


def doctor_sources(
    cli_value: str | None, profile: Profile, facts: HostFacts, accelerator: str, *, offline: bool
) -> Sources:
    """Probe upstream and the requested set (every set for `auto`) for the roles setup would need here; for a
    role the chosen source fails, the other sets too, so doctor can suggest `--mirror auto`."""
    from types import SimpleNamespace

    from llmenv.errors import LlmenvError
    from llmenv.execute.installers.uv import uv_binary
    from llmenv.paths import managed_python_dir
    from llmenv.plan.variant import choose_variant
    from llmenv.profiles.mirrors import find_set, known_sets

    request = requested(cli_value, profile)
    sets = known_sets()
    if request.name not in (None, "auto", "upstream", "none"):
        find_set(request.name, sets, request.by.rstrip("=:"))
    try:
        decision = choose_variant(profile, facts, accelerator)
        variant = decision.variant.value if decision.variant else None
        concrete = decision.accelerator.value
    except LlmenvError:
        variant, concrete = None, accelerator
    try:
        uv = bool(uv_binary())
    except (ImportError, FileNotFoundError):
        uv = False
    options = SimpleNamespace(python=None, uv_available=uv, managed_python_dir=str(managed_python_dir()))
    try:
        needed = roles_needed(profile, facts, options, concrete)
    except LlmenvError:
        needed = ("pypi", "pytorch")
    needed = tuple(r for r in needed if r != "pytorch" or variant)
    if offline or request.name is None or request.name in ("upstream", "none"):
        probes: list[MirrorProbe] = []
        if not offline:
            probes = _probe(request.name, {}, sets, profile, concrete, variant, needed, facts)
        elif request.name is not None and request.name in sets:
            # Offline, a set's folders (a USB disk, a share) can still be looked at; its URLs cannot.
            wanted = wanted_for(profile, concrete, variant, needed)
            probes = probe_mirrors({request.name: sets[request.name]}, wanted, local_only=True)
        return Sources(choose_mirrors(request.name, request.by, sets, variant, []), tuple(probes), needed)
    named = sets if request.name == "auto" else {request.name: sets[request.name]}
    probes = _probe(request.name, named, sets, profile, concrete, variant, needed, facts)
    return Sources(choose_mirrors(request.name, request.by, sets, variant, probes), tuple(probes), needed)


def _probe(
    name: str | None,
    named: dict[str, Any],
    sets: dict[str, Any],
    profile: Profile,
    accelerator: str,
    variant: str | None,
    roles: tuple[str, ...],
    facts: HostFacts,
) -> list[MirrorProbe]:
    config = facts.pip_config.value
    configured = next(iter(config.get("index-url")), None) if config else None
    cert = next(iter(config.get("cert")), None) if config else None
    probes = probe_mirrors(named, wanted_for(profile, accelerator, variant, roles), configured, cafile=cert)
    if name == "auto":
        return probes
    # The role's chosen source: the named set's URL when it has one, else upstream.
    chosen = {role: name if name in named and named[name].url(role, variant) else "upstream" for role in roles}
    failing = tuple(r for r in roles if any(p.role == r and p.source == chosen[r] and not p.ok for p in probes))
    if failing:
        others = {k: v for k, v in sets.items() if k not in named}
        extra = probe_mirrors(others, wanted_for(profile, accelerator, variant, failing), None, cafile=cert)
        probes += [p for p in extra if p.source != "upstream"]
    return probes


def doctor_findings(sources: Sources, setup_command: str, plan: Any, host: list[Any]) -> list[Any]:
    """One finding per mirror role: judged for the roles the plan needs, skipped as not needed for the others.
    `host`: the host findings, whose network.index.variant says whether a fallback from the PyTorch index works."""
    from llmenv.verify.host.mirrors import rule_mirrors
    from llmenv.verify.model import Status

    variant = [f for f in host if f.id.startswith("network.index.variant")]
    covered = bool(plan is not None and plan.variant_index_fallback and variant)
    covered = covered and all(f.status is not Status.FAIL for f in variant)
    return rule_mirrors(sources.plan, list(sources.probes), setup_command, sources.needed, variant_covered=covered)


__all__ = [
    "ENV_VAR",
    "Request",
    "Sources",
    "decide",
    "doctor_findings",
    "doctor_sources",
    "requested",
    "roles_needed",
    "wanted_for",
]
