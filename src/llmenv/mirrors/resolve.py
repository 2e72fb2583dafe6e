"""The one mirror path every command takes (setup, doctor, smoke, lock, export, bundle): which set was asked for
(--mirror, LLMENV_MIRROR, the profile's `mirror:`), the sets known, the probes the request needs, then the plan
maker's decision (plan/make.py `source_decision`). Nothing else builds a mirror decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from llmenv.mirrors.decide import MirrorPlan, MirrorProbe
from llmenv.mirrors.probe import Wanted, probe_mirrors
from llmenv.mirrors.sets import ROLES, MirrorSet
from llmenv.plan.needs import pinned_version
from llmenv.probe import HostFacts
from llmenv.probe.pipconfig import first_of
from llmenv.profiles.model import Profile

ENV_VAR = "LLMENV_MIRROR"


@dataclass(frozen=True)
class Request:
    name: str | None
    by: str  # "--mirror", "LLMENV_MIRROR=", "profile mirror:"
    url: str | None = None  # `--mirror URL`: a one-off set whose pypi role is that index (named by its masked URL)


def requested(cli_value: str | None, profile: Profile | None, remembered: str | None = None) -> Request:
    """--mirror wins over LLMENV_MIRROR, which wins over the set the env's stamp recorded (`remembered`), which
    wins over the profile's `mirror:` key. An empty --mirror is a mistake (a variable that expanded to nothing),
    not a request for no mirror: it is refused."""
    if cli_value is not None and not cli_value.strip():
        from llmenv.errors import UsageError
        from llmenv.mirrors.config import known_sets, mirrors_file

        raise UsageError(
            "the mirror set name is empty",
            where="--mirror",
            fix=f"give auto, upstream or one of {', '.join(sorted(known_sets()))} (user sets go in {mirrors_file()}),"
            " or leave the option out",
        )
    if cli_value:
        return _request(cli_value, "--mirror")
    from llmenv.door.environ import env_text

    from_env = env_text(ENV_VAR)  # the door: UTF-8 text of sane length, or a usage error naming the variable
    if from_env:
        return _request(from_env, f"{ENV_VAR}=")
    if remembered:
        return Request(remembered, "the env's stamp:")
    mirror = getattr(profile, "mirror", None) if profile is not None else None
    if mirror:
        return Request(str(mirror), "profile mirror:")
    return Request(None, "")


def _request(value: str, by: str) -> Request:
    if "://" not in value:
        return Request(value, by)
    from llmenv.door.urls import host_problem
    from llmenv.redact import redact_url

    problem = host_problem(value)
    if problem is not None:
        from llmenv.errors import UsageError

        raise UsageError(f"the mirror URL cannot be used: {problem}", where=by.rstrip("="), fix="correct the URL")

    return Request(redact_url(value), by, value)


def wanted_for(profile: Profile | None, accelerator: str, variant: str | None, roles: tuple[str, ...]) -> Wanted:
    if profile is None:
        return Wanted(variant, None, None, None, roles)
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


@dataclass(frozen=True)
class Sources:
    """The mirror decision, the probes behind it, and the roles this plan needs (the only ones doctor judges)."""

    plan: MirrorPlan
    probes: tuple[MirrorProbe, ...]
    needed: tuple[str, ...]

    def probe_of(self, role: str) -> MirrorProbe | None:
        """What the probe saw of the source chosen for `role` (None: not probed)."""
        chosen = self.plan.get(role)
        return next((p for p in self.probes if p.role == role and p.source == chosen.source), None)


def known(request: Request) -> dict[str, MirrorSet]:
    """The sets a request may name: built-ins, the user's mirrors.yaml, and a `--mirror URL` as a one-off set.
    An unknown name is a usage error (exit 2) with the closest match."""
    from llmenv.mirrors.config import find_set, known_sets

    sets = known_sets()
    if request.url is not None and request.name is not None:
        sets[request.name] = MirrorSet(request.name, {"pypi": request.url}, origin=request.by.rstrip("=:"))
    elif request.name not in (None, "auto", "upstream", "none"):
        find_set(str(request.name), sets, request.by.rstrip("=:"))
    return sets


def resolve_sources(
    request: Request,
    profile: Profile | None,
    facts: HostFacts | None,
    roles: tuple[str, ...],
    accelerator: str = "cpu",
    variant: str | None = None,
    *,
    probe: bool,
    offline: bool,
    judge: bool = False,
) -> Sources:
    """`roles`, `accelerator`, `variant`: what the plan maker decided early (smoke: the hub and IMDB roles only).
    `probe`: ask the network (auto must; a named set is asked so that a failure can say what it saw). `judge`
    (doctor): also ask upstream, and for a role the chosen source fails, the other sets, so doctor can suggest
    `--mirror auto`."""
    from llmenv.plan.make import source_decision

    sets = known(request)
    needed = tuple(r for r in roles if r in ROLES and (r != "pytorch" or variant))
    name = request.name
    config = facts.pip_config.value if facts is not None else None
    configured = first_of(config, "index-url")
    cert = first_of(config, "cert")
    wanted = wanted_for(profile, accelerator, variant, needed)
    named = {name: sets[name]} if name in sets else {}
    probes: list[MirrorProbe] = []
    if offline:
        # Offline, a set's folders (a USB disk, a share) can still be looked at; its URLs cannot.
        probes = probe_mirrors(named, wanted, local_only=True, upstream=False) if named and judge else []
    elif name == "auto" and probe:
        probes = probe_mirrors(sets, wanted, configured, cafile=cert)
    elif judge:
        probes = probe_mirrors(named, wanted, configured, cafile=cert)
        probes += _others(named, sets, profile, accelerator, variant, needed, probes, cert)
    elif named and probe:
        probes = probe_mirrors(named, wanted, configured, cafile=cert, upstream=False)
    return Sources(source_decision(name, request.by, sets, variant, probes), tuple(probes), needed)


def _others(
    named: dict[str, MirrorSet],
    sets: dict[str, MirrorSet],
    profile: Profile | None,
    accelerator: str,
    variant: str | None,
    roles: tuple[str, ...],
    probes: list[MirrorProbe],
    cert: str | None,
) -> list[MirrorProbe]:
    """For each role whose chosen source (the named set's URL, else upstream) fails, what the other sets say."""
    chosen = {role: next((n for n, s in named.items() if s.url(role, variant)), "upstream") for role in roles}
    failing = tuple(r for r in roles if any(p.role == r and p.source == chosen[r] and not p.ok for p in probes))
    if not failing:
        return []
    others = {k: v for k, v in sets.items() if k not in named}
    extra = probe_mirrors(others, wanted_for(profile, accelerator, variant, failing), None, cafile=cert)
    return [p for p in extra if p.source != "upstream"]


def doctor_findings(sources: Sources, setup_command: str, plan: Any, host: list[Any]) -> list[Any]:
    """One finding per mirror role: judged for the roles the plan needs, skipped as not needed for the others.
    `host`: the host findings, whose network.index.variant says whether a fallback from the PyTorch index works."""
    from llmenv.mirrors.findings import rule_mirrors
    from llmenv.verify.model import Status

    variant = [f for f in host if f.id.startswith("network.index.variant")]
    covered = bool(plan is not None and plan.variant_index_fallback and variant)
    covered = covered and all(f.status is not Status.FAIL for f in variant)
    return rule_mirrors(sources.plan, list(sources.probes), setup_command, sources.needed, variant_covered=covered)


__all__ = [
    "ENV_VAR",
    "Request",
    "Sources",
    "doctor_findings",
    "known",
    "requested",
    "resolve_sources",
    "wanted_for",
]
