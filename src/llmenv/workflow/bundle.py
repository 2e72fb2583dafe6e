"""bundle = plan per variant -> hashed lock -> wheels -> llmenv + uv + Python build + smoke data -> manifest -> tar
setup --bundle = verify every member -> a private, index-free pip configuration -> the ordinary setup, offline.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv.probe import probe_host
from llmenv.workflow.common import SetupOptions, plan_for

Say = Callable[[str], None]


@dataclass(frozen=True)
class BundleOptions:
    profile: str
    output: Path
    accelerators: tuple[str, ...] = ()
    python: str | None = None  # X.Y (or an interpreter) to lock for
    platform: str | None = None  # uv's --python-platform target; default: this host
    mirror: str | None = None  # --mirror: a set name, auto, upstream, or a PyPI index URL (as setup takes it)
    data: Path | None = None  # smoke data to carry; default: the first real IMDB copy found
    python_archive: Path | None = None  # a python-build-standalone archive to carry
    require_pytorch_index: bool = False  # never carry PyPI's torch build when no PyTorch index answers


@dataclass(frozen=True)
class BundleReport:
    output: Path
    size: int
    seconds: float
    members: int
    notes: tuple[str, ...]
    sources: tuple[str, ...] = ()  # `--mirror auto`: per role, what was chosen and what was passed over


def make_bundle(options: BundleOptions, say: Say) -> BundleReport:
    from llmenv import __version__
    from llmenv.execute import bundle_build as build
    from llmenv.execute.lock import write_lock
    from llmenv.paths import new_log
    from llmenv.plan import bundle as layout
    from llmenv.plan.lockfiles import lock_name, uv_platform
    from llmenv.profiles.load import load_profile

    start = time.perf_counter()
    profile = load_profile(options.profile)
    facts = probe_host(offline=False)
    system = facts.system.value
    platform = options.platform or (uv_platform(system.os, system.machine) if system else "x86_64-manylinux_2_28")
    tags = layout.pip_platforms(platform)
    log = new_log("bundle")
    say(f"bundle for profile {profile.name}, platform {platform} (log: {log})")
    with tempfile.TemporaryDirectory(prefix="llmenv-bundle-") as tmp:
        stage = Path(tmp)
        manifest: Any = None
        plan: Any = None
        for accelerator in options.accelerators or (profile.accelerator,):
            planned = SetupOptions(profile=options.profile, python=options.python, accelerator=accelerator,
                                   mirror=options.mirror,
                                   require_pytorch_index=options.require_pytorch_index)  # fmt: skip
            plan = plan_for(profile, facts, planned, Path(profile.env))
            if plan.pypi_torch is not None:  # the plan's choice is said here too: it makes the bundle GBs larger
                say(f"warning: {plan.pypi_torch.warning()}")
            minor = ".".join(plan.python_version.split(".")[:2])
            if manifest is None:
                profile_member = build.add_file(Path(profile.source), stage, layout.PROFILE, f"{profile.name}.yaml")
                manifest = layout.Manifest(profile.name, profile_member, __version__, platform, minor)
            name = lock_name(plan, platform)
            say(f"locking {plan.accelerator.value} ({name})")
            write_lock(plan, stage / layout.LOCKS / name, platform, log)
            build_label = plan.variant.value if plan.variant else plan.accelerator.value
            manifest.variants.append(layout.Variant(plan.accelerator.value, build_label, f"{layout.LOCKS}/{name}"))
            say(f"downloading the wheels of {name}" + _from(plan))
            with _index_env(download_env(plan)), _named_on_failure(plan):
                build.lock_wheels(stage / layout.LOCKS / name, stage / layout.WHEELS, minor, tags, log)
        say("adding llmenv's own wheel and its dependencies")
        with _index_env(download_env(plan, variant=False)):
            build.self_wheel(stage / layout.SELF, manifest.python, tags, log)
        manifest.uv = f"{layout.UV}/{build.uv_copy(stage / layout.UV)}"
        manifest.python_archive = _python_archive(options, manifest, stage, log, say)
        manifest.data = _data(options, stage, manifest, say)
        say("hashing members and writing the archive")
        size = build.write_archive(stage, manifest, options.output, say)
    seconds = time.perf_counter() - start
    passed = tuple(plan.mirrors.passed_over()) if plan is not None else ()
    return BundleReport(options.output, size, seconds, len(manifest.members), tuple(manifest.notes), passed)


def download_env(plan: Any, *, variant: bool = True) -> dict[str, str]:
    """pip's sources for the downloads, from the plan (the same indexes and mirror roles setup installs from): the
    PyPI mirror replaces the default index, the PyTorch mirror (or upstream variant index) is an extra index, or
    find-links for a flat mirror. Pure; the URLs travel in the environment, never in argv."""
    env: dict[str, str] = {}
    default = plan.indexes.default_index()
    if default is not None:
        env["PIP_INDEX_URL"] = default.reveal()
    source, flat = plan.indexes.variant_source()
    if variant and source is not None:
        env["PIP_FIND_LINKS" if flat else "PIP_EXTRA_INDEX_URL"] = source.reveal()
    return env


def _from(plan: Any) -> str:
    """` from mirror set X (pypi, pytorch)` when a set serves any role of the downloads."""
    mirrored = {role: source for role, source in plan.mirrors.mirrored().items() if role in ("pypi", "pytorch")}
    if not mirrored:
        return ""
    return " from " + ", ".join(f"{source} ({role})" for role, source in mirrored.items())


class _named_on_failure:
    """A failed download with a mirror the user named: the error's fix names that mirror and what its probe saw."""

    def __init__(self, plan: Any) -> None:
        self.plan = plan

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        from llmenv.errors import InstallError
        from llmenv.plan.indexes import named_mirror_hint

        hint = named_mirror_hint(self.plan)
        if isinstance(exc, InstallError) and hint:
            exc.fix = hint


class _index_env:
    """Sources for pip in the environment (never in argv), restored afterwards. A variable the user set is
    extended, not replaced, for find-links and extra indexes (their own wheels still count)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = dict(env)
        for key in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL"):
            if key in self.env and os.environ.get(key):
                self.env[key] = f"{self.env[key]} {os.environ[key]}"
        self.saved = {key: os.environ.get(key) for key in self.env}

    def __enter__(self) -> None:
        os.environ.update(self.env)

    def __exit__(self, *exc: object) -> None:
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _python_archive(options: BundleOptions, manifest: Any, stage: Path, log: Path, say: Say) -> str | None:
    from llmenv.execute.bundle_build import add_file, copy_managed_python
    from llmenv.plan.bundle import PYTHON

    if options.python_archive is not None:
        return add_file(options.python_archive, stage, PYTHON)
    name = copy_managed_python(manifest.python, stage / PYTHON, log)
    if name is None:
        manifest.notes.append(
            f"no python-build-standalone archive: uv manages no CPython {manifest.python} here "
            "(`uv python install` it, or pass --python-archive)"
        )
        say(manifest.notes[-1])
        return None
    say(f"adding CPython from uv's managed installs ({name})")
    return f"{PYTHON}/{name}"


def _data(options: BundleOptions, stage: Path, manifest: Any, say: Say) -> str | None:
    from llmenv.execute.bundle_build import add_file
    from llmenv.plan.bundle import DATA
    from llmenv.verify.smoke.data import _candidates

    source = options.data
    from llmenv.door.environ import env_path

    if source is None:
        source = env_path("LLMENV_IMDB")
    if source is None:
        found = [p for _, p in _candidates([]) if p.is_file()]
        source = found[0] if found else None
    if source is None or not source.is_file():
        manifest.notes.append("no IMDB data carried (pass --data FILE): the smoke test will fall back to synthetic")
        say(manifest.notes[-1])
        return None
    say(f"adding smoke data {source}")
    return add_file(source, stage, DATA)


def setup_from_bundle(bundle: Path, options: SetupOptions, say: Say) -> tuple[SetupOptions, Any]:
    """Verify and unpack the bundle, point pip and uv at its wheels only, and return the options for the ordinary
    setup (profile and smoke data from the bundle). Nothing is installed when a member does not match."""
    from llmenv.errors import UsageError
    from llmenv.execute.bundle_open import open_bundle
    from llmenv.plan.bundle import WHEELS
    from llmenv.verify.smoke.data import BUNDLE_DATA, cache_dir

    root = cache_dir().parent / "bundles"
    say(f"checking every member of {bundle} against its manifest")
    manifest, folder = open_bundle(bundle, root)
    from llmenv.trust import require_trusted

    require_trusted(folder, "the unpacked bundle", directory=True)  # what setup installs from: ours alone
    options = _for_this_target(bundle, manifest, options)
    profile = options.profile
    if profile is not None and profile != manifest.profile and not Path(profile).is_file():
        raise UsageError(
            f"the bundle holds profile {manifest.profile}, not {profile}",
            where=str(bundle),
            fix=f"run `llmenv setup --bundle {bundle} {manifest.profile}` or make a bundle for {profile}",
        )
    # Only the bundle's wheels: no index, no find-links or constraints from the user's configuration.
    os.environ.update({"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(folder / WHEELS)})
    for key in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT", "UV_INDEX_URL", "UV_EXTRA_INDEX_URL"):
        os.environ.pop(key, None)
    os.environ["UV_OFFLINE"] = "1"
    data = options.data
    if manifest.data and data is None:
        from llmenv.execute.bundle_scratch import publish_file

        # Another setup sharing this cache may be reading the same copy for its smoke test: replaced atomically.
        data = publish_file(folder / manifest.data, cache_dir() / BUNDLE_DATA, Path(manifest.data).name)
    accelerator = options.accelerator
    if accelerator is None and len(manifest.variants) == 1:
        accelerator = manifest.variants[0].accelerator
    import dataclasses

    chosen = dataclasses.replace(
        options,
        profile=profile if profile and Path(profile).is_file() else str(folder / manifest.profile_member),
        offline=True,
        data=data,
        accelerator=accelerator,
    )
    return chosen, manifest


def _for_this_target(bundle: Path, manifest: Any, options: SetupOptions) -> SetupOptions:
    """A bundle's wheels and locks are for one platform and one Python X.Y: another host or another Python would
    install without the bundle's lock (or not at all), so it is refused (exit 3) naming what the bundle is for.
    With no --python the bundle's own version is asked for."""
    import dataclasses
    import platform as host
    import re

    from llmenv.errors import HostError
    from llmenv.plan.bundle import platform_family
    from llmenv.plan.lockfiles import uv_platform

    here = uv_platform(host.system(), host.machine())
    made_for = f"{manifest.platform} with Python {manifest.python}"
    if platform_family(here) != platform_family(manifest.platform):
        raise HostError(
            f"bundle {bundle} is for {made_for}; this host is {here}",
            where=str(bundle),
            fix=f"make a bundle for this host with `llmenv bundle {manifest.profile} --platform {here} -o FILE`",
        )
    wanted = options.python
    minor = wanted
    if wanted is not None and not re.fullmatch(r"3\.[0-9]+", wanted) and os.path.isfile(wanted):
        from llmenv.probe.interpreter_query import cached_query

        info, _ = cached_query(wanted)  # an interpreter's path: its X.Y is what the bundle must be for
        minor = ".".join(str(info.get("version", "")).split(".")[:2]) if info else None
    if minor is not None and re.fullmatch(r"3\.[0-9]+", minor) and minor != manifest.python:
        raise HostError(
            f"bundle {bundle} is for {made_for}, not Python {minor}",
            where="--python",
            fix=f"leave --python out (the bundle asks for {manifest.python}), or make a bundle with --python {minor}",
        )
    return dataclasses.replace(options, python=wanted or manifest.python)


__all__ = ["BundleOptions", "BundleReport", "make_bundle", "setup_from_bundle"]
