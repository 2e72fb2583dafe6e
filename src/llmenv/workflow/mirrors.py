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
    """--mirror wins over LLMENV_MIRROR, which wins over the profile's `mirror:` key."""
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


def doctor_findings(
    cli_value: str | None, profile: Profile, facts: HostFacts, accelerator: str, setup_command: str
) -> list[Any]:
    """Probe upstream and every known set for the roles this profile needs; report the requested source of each."""
    from llmenv.errors import LlmenvError
    from llmenv.plan.variant import choose_variant
    from llmenv.profiles.mirrors import find_set, known_sets
    from llmenv.verify.host.mirrors import rule_mirrors

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
    roles = ("pypi", "pytorch", "huggingface", "python") if variant else ("pypi", "huggingface", "python")
    config = facts.pip_config.value
    configured = next(iter(config.get("index-url")), None) if config else None
    cert = next(iter(config.get("cert")), None) if config else None
    wanted = wanted_for(profile, concrete, variant, roles)
    if request.name == "auto":
        probes = probe_mirrors(sets, wanted, configured, cafile=cert)
    else:
        # Upstream (and the named set) first; the other sets only for roles that fail, to suggest --mirror auto.
        named = {request.name: sets[request.name]} if request.name in sets else {}
        probes = probe_mirrors(named, wanted, configured, cafile=cert)
        failing = tuple(role for role in roles if any(p.role == role and not p.ok for p in probes))
        if failing:
            others = {k: v for k, v in sets.items() if k not in named}
            extra = probe_mirrors(others, wanted_for(profile, concrete, variant, failing), None, cafile=cert)
            probes += [p for p in extra if p.source != "upstream"]
    mirrors = choose_mirrors(request.name, request.by, sets, variant, probes)
    return rule_mirrors(mirrors, probes, setup_command, roles)


__all__ = ["ENV_VAR", "Request", "decide", "doctor_findings", "requested", "roles_needed", "wanted_for"]
