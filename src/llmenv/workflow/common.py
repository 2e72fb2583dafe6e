"""What several pipelines share: the default profile, setup's options, and planning with its lock file."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv.probe import HostFacts
from llmenv.profiles.model import Profile

DEFAULT_PROFILE = "transformers"


@dataclass(frozen=True)
class SetupOptions:
    profile: str | None = None
    env: Path | None = None
    python: str | None = None
    accelerator: str | None = None
    backend: str = "auto"
    offline: bool = False
    dry_run: bool = False
    force: bool = False
    lock_timeout: float = 600.0
    skip_smoke: bool = True
    data: Path | None = None
    mirror: str | None = None  # a set name or auto (else LLMENV_MIRROR, else the profile's `mirror:`)
    confirm: Callable[[str], bool] | None = None  # asks before installing a managed CPython (None: go ahead)
    smoke: bool = False  # run the smoke test even when this generation passed it already
    require_pytorch_index: bool = False  # --require-pytorch-index: never PyPI's torch build instead


def plan_for(
    profile: Profile,
    facts: HostFacts,
    options: SetupOptions,
    env: Path,
    reachable: dict[str, bool] | None = None,
    mirrors: Any = None,
    torch_sources: Any = None,
) -> Any:
    """`mirrors`: a mirror decision already taken (doctor probes the sets once, for its findings and the plan).
    `torch_sources`: what the sources list for torch, already known (doctor, a re-run's stamp); probed here when
    this call probes reachability and the PyTorch index did not answer."""
    import dataclasses

    from llmenv.execute.installers.uv import uv_binary
    from llmenv.paths import managed_python_dir
    from llmenv.plan.make import Options, make_plan
    from llmenv.plan.variant import choose_variant
    from llmenv.probe.index import check_url

    accelerator = options.accelerator or profile.accelerator
    try:
        uv_available = bool(uv_binary())
    except (ImportError, FileNotFoundError):
        uv_available = False
    overrides = tuple(
        f"{name}={os.environ[name]}" for name in ("LLMENV_CUDA_DRIVER", "LLMENV_GPU_CC") if os.environ.get(name)
    )
    plan_options = Options(
        env=str(env),
        accelerator=accelerator,
        backend=options.backend,
        python=options.python,
        uv_available=uv_available,
        offline=options.offline,
        overrides=overrides,
        managed_python_dir=str(managed_python_dir()),
        pypi_torch=not options.require_pytorch_index,
    )
    from llmenv.workflow.mirrors import decide, requested, roles_needed

    decision = choose_variant(profile, facts, accelerator)
    variant = decision.variant.value if decision.variant else None
    probing = reachable is None and not options.offline
    mirrors = mirrors or decide(
        requested(options.mirror, profile),
        profile,
        facts,
        decision.accelerator.value,
        variant,
        probe=probing,
        roles=roles_needed(profile, facts, plan_options, decision.accelerator.value),
    )
    plan_options = dataclasses.replace(plan_options, mirrors=mirrors)
    url = decision.index_url
    mirror_url = mirrors.url("pytorch")
    if reachable is None:
        reachable = {}
        if url and not options.offline:
            config = facts.pip_config.value
            cert = next(iter(config.get("cert")), None) if config else None
            target = mirror_url or url
            # A flat mirror is a find-links page (or folder): judged as one, not as a PEP 503 index.
            role = "find-links" if mirror_url and mirrors.get("pytorch").flat else "variant"
            reachable[target] = check_url(target, role, cafile=cert).reachable
            if not reachable[target] and plan_options.pypi_torch and profile.pytorch_index != "required":
                torch_sources = torch_sources_for(profile, facts, decision.accelerator.value, mirrors)
    elif url and mirror_url:
        # The mirror's own answer when it was checked (doctor), else the stamp's word, from a re-run.
        reachable = {**reachable, mirror_url: reachable.get(mirror_url, reachable.get(url, False))}
    return make_plan(profile, facts, plan_options, reachable, torch_sources)


def torch_sources_for(profile: Profile, facts: HostFacts, accelerator: str, mirrors: Any) -> Any:
    """Ask the default index (the `pypi` mirror role, else pip's index-url, else PyPI) and the other configured
    sources which builds of the per-variant projects they carry: the facts of PyPI's fallback."""
    from llmenv.probe.index import PYPI
    from llmenv.probe.torch_sources import probe_torch_sources
    from llmenv.redact import redact_url

    config = facts.pip_config.value
    override = profile.accelerators.get(accelerator)
    projects = list(override.index_packages) if override else []
    if not projects or (config is not None and config.flag("no-index")):
        return None
    pypi = mirrors.get("pypi") if mirrors is not None else None
    index_url = next(iter(config.get("index-url")), None) if config else None
    if pypi is not None and pypi.url:
        index, source = pypi.url, f"the '{pypi.source}' mirror set's pypi role ({redact_url(pypi.url)})"
    elif index_url:
        index, source = index_url, f"the configured index-url {redact_url(index_url)}"
    else:
        index, source = PYPI, f"PyPI ({PYPI})"
    return probe_torch_sources(
        index,
        source,
        projects,
        list(config.get("extra-index-url")) if config else [],
        list(config.get("find-links")) if config else [],
        cafile=next(iter(config.get("cert")), None) if config else None,
        proxy=next(iter(config.get("proxy")), None) if config else None,
    )


def with_lock(plan: Any, profile: Profile, facts: HostFacts) -> Any:
    """Use a hashed lock for this exact variant when one exists and was made from this profile's content."""
    import dataclasses
    import hashlib

    from llmenv.door.files import LOCK, read_text_if_present
    from llmenv.plan.lockfiles import lock_dirs, lock_name, uv_platform

    system = facts.system.value
    if system is None:
        return plan
    name = lock_name(plan, uv_platform(system.os, system.machine))
    for folder in lock_dirs(profile, Path.cwd()):
        path = folder / name
        # The door: a regular file (a FIFO or device there is refused, not waited on), bounded, strict UTF-8.
        text = read_text_if_present(path, LOCK)
        if text is None:
            continue
        if f"# profile content hash {plan.profile_hash}" not in text:
            warning = (
                f"ignoring {path}: it was locked from another version of profile {plan.profile} (run `llmenv lock`)"
            )
            return dataclasses.replace(plan, warnings=(*plan.warnings, warning))
        digest = hashlib.sha256(text.encode()).hexdigest()
        return dataclasses.replace(plan, lock_file=str(path), lock_sha256=digest)
    return plan


__all__ = ["DEFAULT_PROFILE", "SetupOptions", "plan_for", "torch_sources_for", "with_lock"]
