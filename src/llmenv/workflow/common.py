"""What several pipelines share: the default profile, setup's options, and planning with its lock file."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv.probe import HostFacts
from llmenv.probe.pipconfig import first_of
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
    jupyter: bool = False  # add ipykernel and register the env's kernel (also the profile's `jupyter: true`)
    confirm: Callable[[str], bool] | None = None  # asks before installing a managed CPython (None: go ahead)
    smoke: bool = False  # run the smoke test even when this generation passed it already
    require_pytorch_index: bool = False  # --require-pytorch-index: never PyPI's torch build instead
    remembered_mirror: str | None = None  # the set the env's stamp recorded (used when neither flag nor variable)


def with_remembered(options: SetupOptions, stamp: Any) -> tuple[SetupOptions, list[str]]:
    """The choices the env's stamp (`llmenv.plan.stamp.EnvStamp`) recorded, for what this command was not told
    again: the mirror set (after --mirror and LLMENV_MIRROR) and --accelerator. Second value: a line for each
    choice a flag changed from the recorded one."""
    import dataclasses

    from llmenv.plan.stamp import remembered_changes

    if stamp is None:
        return options, []
    changes = remembered_changes(stamp, options.mirror or os.environ.get("LLMENV_MIRROR") or None, options.accelerator)
    mirror = stamp.mirror.name if stamp.mirror is not None and stamp.mirror.by != "profile mirror:" else None
    if mirror is not None and "://" in mirror:
        mirror = None  # a `--mirror URL` is kept redacted, so it cannot be used again: give it again
    accelerator = options.accelerator or stamp.accelerator_requested
    return dataclasses.replace(options, remembered_mirror=mirror, accelerator=accelerator), changes


def remembered_command_flags(options: SetupOptions) -> tuple[str, ...]:
    """The flags a printed setup command must carry to repeat this command's mirror choice."""
    mirror = options.mirror or options.remembered_mirror
    return ("--mirror", mirror) if mirror and "://" not in mirror else ()


def plan_options(options: SetupOptions, profile: Profile, env: Path) -> Any:
    """The plan maker's options from the command's: read once (uv's presence, the GPU stand-in variables)."""
    from llmenv.paths import managed_python_dir
    from llmenv.plan.make import Options
    from llmenv.tools import find_uv

    overrides = tuple(
        f"{name}={os.environ[name]}" for name in ("LLMENV_CUDA_DRIVER", "LLMENV_GPU_CC") if os.environ.get(name)
    )
    return Options(
        env=str(env),
        accelerator=options.accelerator or profile.accelerator,
        backend=options.backend,
        python=options.python,
        uv_available=find_uv() is not None,
        offline=options.offline,
        overrides=overrides,
        managed_python_dir=str(managed_python_dir()),
        pypi_torch=not options.require_pytorch_index,
    )


def plan_for(
    profile: Profile,
    facts: HostFacts,
    options: SetupOptions,
    env: Path,
    reachable: dict[str, bool] | None = None,
    sources: Any = None,
    torch_sources: Any = None,
    early: Any = None,
    stamped_fallback: bool | None = None,
) -> Any:
    """The pipeline's planning stages, each once: early decisions (accelerator, roles) -> the mirror sources
    (probed as the request needs) -> the variant source's check -> make_plan.

    `sources`/`early`: taken already (doctor takes them once, for its findings and the plan). `reachable`: the
    answers already known (no check is made); `stamped_fallback`: a re-run's word from the stamp instead.
    `torch_sources`: what the sources list for torch, already known (doctor, a re-run's stamp); probed here when
    this call probes reachability and the PyTorch index did not answer."""
    import dataclasses

    from llmenv.mirrors.resolve import requested, resolve_sources
    from llmenv.plan.make import early_decisions, make_plan
    from llmenv.probe.index import check_url

    base = plan_options(options, profile, env)
    early = early or early_decisions(profile, facts, base)
    probing = reachable is None and stamped_fallback is None and not options.offline
    if sources is None:
        request = requested(options.mirror, profile, options.remembered_mirror)
        sources = resolve_sources(
            request, profile, facts, early.roles, *early.chosen, probe=probing, offline=options.offline
        )
    mirrors = sources.plan
    minors = None
    if "python" in early.roles:
        from llmenv.probe.uvpython import managed_minors

        minors = managed_minors()
    url = early.decision.index_url
    pytorch = mirrors.get("pytorch")
    target = pytorch.url or url
    if stamped_fallback is not None:
        reachable = {u: not stamped_fallback for u in (url, target) if u}
    elif reachable is None:
        reachable = {}
        seen = sources.probe_of("pytorch")
        if target and seen is not None:
            reachable[target] = seen.ok  # the mirror's probe already asked it
        elif target and not options.offline:
            config = facts.pip_config.value
            cert = first_of(config, "cert")
            # A flat mirror is a find-links page (or folder): judged as one, not as a PEP 503 index.
            role = "find-links" if pytorch.url and pytorch.flat else "variant"
            reachable[target] = check_url(target, role, cafile=cert).reachable
        # A mirror the user named is never replaced by PyPI's build: only an upstream index may fall back.
        fallback = base.pypi_torch and profile.pytorch_index != "required" and not pytorch.named
        if target and not reachable.get(target) and fallback and not options.offline:
            torch_sources = torch_sources_for(profile, facts, early.decision.accelerator.value, mirrors)
        elif target and fallback and options.offline and torch_sources is None:
            # Offline (a bundle's wheels): the local find-links folders say whether they hold PyPI's build.
            torch_sources = _local_torch_sources(profile, facts, early.decision.accelerator.value)
    elif url and pytorch.url:
        # The mirror's own answer when it was checked (doctor), else the upstream index's.
        reachable = {**reachable, pytorch.url: reachable.get(pytorch.url, reachable.get(url, False))}
    final = dataclasses.replace(base, mirrors=mirrors, managed_minors=minors)
    return make_plan(profile, facts, final, reachable, torch_sources, early)


def _local_torch_sources(profile: Profile, facts: HostFacts, accelerator: str) -> Any:
    from llmenv.probe.torch_sources import local_torch_sources

    config = facts.pip_config.value
    override = profile.accelerators.get(accelerator)
    projects = list(override.index_packages) if override else []
    return local_torch_sources(projects, list(config.get("find-links")) if config else []) if projects else None


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
    index_url = first_of(config, "index-url")
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
        cafile=first_of(config, "cert"),
        proxy=first_of(config, "proxy"),
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


__all__ = [
    "DEFAULT_PROFILE",
    "SetupOptions",
    "plan_for",
    "plan_options",
    "remembered_command_flags",
    "torch_sources_for",
    "with_lock",
    "with_remembered",
]
