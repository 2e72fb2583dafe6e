"""doctor = load profile -> probe host -> the plan setup would make -> host rules -> (env checks) -> report

The host is judged by the plan (`plan_for`, the function setup uses): its accelerator decision, not a second one.
When no plan can be made (no suitable Python), the accelerator decision is still the plan's own resolver's."""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv.probe import HostFacts, probe_host
from llmenv.probe.pipconfig import first_of
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
    profile_from_stamp: bool = False  # no --profile, and --env's stamp named the profile it was built from

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
    mirror: str | None = None,
    require_pytorch_index: bool = False,
) -> DoctorReport:
    from llmenv.profiles.load import load_profile
    from llmenv.verify.host import context_for, verify_host

    start = time.perf_counter()
    from_stamp = False
    if profile_ref is None and env is not None:
        profile_ref = stamp_profile(env)
        from_stamp = profile_ref is not None
    profile = load_profile(profile_ref or DEFAULT_PROFILE)
    from llmenv.errors import HostError
    from llmenv.mirrors.resolve import doctor_findings, known, requested, resolve_sources
    from llmenv.plan.make import early_decisions
    from llmenv.verify.env.fixes import remembered_flags
    from llmenv.workflow.common import SetupOptions, plan_options, remembered_command_flags, with_remembered

    facts = probe_host(offline=offline, env_path=env or Path(profile.env))
    target = Path(os.path.abspath(env or profile.env))
    options = SetupOptions(
        profile=profile.name,
        env=target,
        accelerator=accelerator,
        offline=offline,
        mirror=mirror,
        require_pytorch_index=require_pytorch_index,
    )
    # An env is judged by what it was built with: the mirror set and --accelerator its stamp recorded, unless
    # given again (the flag wins).
    options, _ = with_remembered(options, _recorded(env) if env is not None else None)
    wanted = options.accelerator or profile.accelerator
    options = dataclasses.replace(options, accelerator=wanted)
    # The early decisions once (accelerator, roles), then the mirror decision as setup makes it: the plan, and its
    # variant source's check, follow from them. A refused accelerator becomes a finding (decision_error).
    early, refused = None, None
    try:
        early = early_decisions(profile, facts, plan_options(options, profile, target))
    except HostError as exc:
        refused = exc
    sources = None
    if early is not None:
        request = requested(mirror, profile, options.remembered_mirror)
        roles, chosen = early.roles, early.chosen
        sources = resolve_sources(request, profile, facts, roles, *chosen, probe=True, offline=offline, judge=True)
    else:
        known(
            requested(mirror, profile, options.remembered_mirror)
        )  # an empty or unknown --mirror is still a usage error
    facts, plan = facts_and_plan(profile, facts, options, early, sources)
    ctx = context_for(profile, facts, wanted, plan, early.decision if early else None, refused)
    findings = verify_host(facts, ctx)
    # Offline, only the roles a set serves from a folder were probed, and only those get a finding.
    command = f"llmenv setup {profile_ref or DEFAULT_PROFILE}"
    findings += doctor_findings(sources, command, plan, findings) if sources is not None else []
    if env is not None:
        from llmenv.execute.store import EnvStore, check_store_is_private
        from llmenv.verify.env import verify_env
        from llmenv.verify.env.leftovers import unfinished_generations

        # Checking an env runs its Python: not one from a store another user owns or can write (exit 5).
        check_store_is_private(EnvStore.at(env))
        from llmenv.trust import require_private_env

        require_private_env(env)  # nothing in it group- or world-writable: its .pth files run with our rights

        with remembered_flags(remembered_command_flags(options)):  # its fixes repeat the env's mirror choice
            findings += verify_env(env, profile, facts, ctx.decision or wanted, user_context=True)
        leftover = unfinished_generations(env)
        findings += [leftover] if leftover is not None else []
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
        profile_ref is None,  # neither --profile nor a stamp: the default was used
        env,
        wanted,
        time.perf_counter() - start,
        plan,
        from_stamp,
    )


def stamp_profile(env: Path) -> str | None:
    """Without --profile, an env is judged against the profile it was built from (as `llmenv smoke` does), so
    `llmenv doctor --env ENV`, the command setup prints last, checks what setup installed. The store's ownership is
    checked before its stamp is read (execute/store.py)."""
    from llmenv.execute.store import EnvStore, check_store_is_private
    from llmenv.verify.env.fixes import stamp_profile_ref

    store = EnvStore.at(env)
    check_store_is_private(store)
    stamp = store.stamp()
    ref = stamp_profile_ref(stamp) if stamp else None
    if ref is not None and os.sep in ref and not os.path.isfile(ref):
        from llmenv.execute.profile_copy import kept_copy

        copy = kept_copy(store.current())  # the profile file is gone: the env's own copy of it
        return str(copy) if copy is not None else ref
    return ref


def _recorded(env: Path) -> Any:
    """The env's typed stamp (None: none). Its store's ownership is checked first (execute/store.py)."""
    from llmenv.execute.store import EnvStore, check_store_is_private

    store = EnvStore.at(env)
    check_store_is_private(store)
    return store.typed_stamp()


def facts_and_plan(profile: Profile, facts: HostFacts, options: Any, early: Any, sources: Any) -> tuple[HostFacts, Any]:
    """The plan setup would make here, and the facts completed with every source it reads: the variant source
    (checked once, its answer deciding the plan's fallback as in setup) and find-links folders (listed even
    offline). With `mirrors` (the decision setup would take), a PyTorch mirror is that variant source: the
    upstream index it replaces is never asked. No plan (no fitting Python, say) is None: the host rules say why."""
    from llmenv.errors import LlmenvError
    from llmenv.plan.indexes import sources as sources_of
    from llmenv.probe.index import check_all
    from llmenv.workflow.common import plan_for, torch_sources_for

    offline = options.offline
    config = facts.pip_config.value
    cert = first_of(config, "cert")
    proxy = first_of(config, "proxy")
    statuses = list(facts.indexes.value or [])
    if early is None or sources is None:
        return _with_indexes(facts, statuses, offline), None
    mirrors = sources.plan
    variant = early.decision.index_url
    mirrored = mirrors.url("pytorch") if variant else None
    # A flat PyTorch mirror is a find-links page or folder: judged as one, as setup does.
    role = "find-links" if mirrored and mirrors.get("pytorch").flat else "variant"
    if variant and not offline:
        statuses += check_all([(mirrored or variant, role)], cafile=cert, proxy=proxy)
    reachable = {s.url.reveal(): s.reachable for s in statuses if s.role == "variant" or s.url.reveal() == mirrored}
    torch_sources = None
    named = mirrors.get("pytorch").named
    pypi_ok = not options.require_pytorch_index and not named
    if variant and not offline and pypi_ok and not reachable.get(mirrored or variant, True):
        # As setup does: what the default index (PyPI or the pypi mirror role) carries decides PyPI's fallback.
        torch_sources = torch_sources_for(profile, facts, early.decision.accelerator.value, mirrors)
    try:
        plan = plan_for(
            profile, facts, options, options.env, reachable=reachable, sources=sources, early=early,
            torch_sources=torch_sources,
        )  # fmt: skip
    except LlmenvError:
        return _with_indexes(facts, statuses, offline), None
    if plan.indexes.no_index:
        # Only find-links can supply the install: list them again with what their wheels require.
        statuses = [s for s in statuses if s.role != "find-links"]
    if plan.indexes.pypi_mirror is not None:
        # The PyPI mirror is the install's default index: the configured one it replaces is never read.
        mirror = plan.indexes.pypi_mirror.reveal()
        statuses = [s for s in statuses if s.role != "index-url" or s.url.reveal() == mirror]
    seen = {(s.url.reveal(), s.role) for s in statuses}
    rest = [t for t in sources_of(plan.indexes) if t not in seen]
    statuses += check_all(rest, cafile=cert, proxy=proxy, local_only=offline, requires=plan.indexes.no_index)
    statuses += _fallback_pages(plan, statuses, offline, cert, proxy)
    return _with_indexes(facts, statuses, offline), plan


def _fallback_pages(plan: Any, statuses: list[Any], offline: bool, cert: str | None, proxy: str | None) -> list[Any]:
    """With the variant index unreachable, setup looks for the labelled builds (torch==2.13.0+cpu) in the
    configured indexes: their pages for those projects are read, so doctor can say whether setup will succeed."""
    from urllib.parse import urlsplit

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    from llmenv.plan.needs import pinned_version
    from llmenv.probe.index import project_page

    if not plan.variant_index_fallback:
        return []
    projects = [
        canonicalize_name(Requirement(r).name)
        for r in plan.requirements
        if "+" in (pinned_version(Requirement(r)) or "")
    ]
    indexes = [s.url.reveal() for s in statuses if s.reachable and s.role in ("index-url", "extra-index-url")]
    if offline:
        indexes = [u for u in indexes if urlsplit(u).scheme in ("", "file")]
    return [project_page(u, p, cafile=cert, proxy=proxy) for u in indexes for p in projects]


def _with_indexes(facts: HostFacts, statuses: list[Any], offline: bool) -> HostFacts:
    from llmenv.probe.facts import Probed

    if offline and not statuses:
        return facts
    # Offline, only local find-links folders were listed: the source still says the network was skipped.
    source = facts.indexes.source if offline else "GET of each index and find-links location"
    return dataclasses.replace(facts, indexes=Probed(statuses, source))


__all__ = ["DoctorReport", "doctor", "facts_and_plan", "stamp_profile"]
