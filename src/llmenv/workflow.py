"""The pipelines, each a short sequence of stages a reader can see at once.

    doctor = load profile -> probe host -> host rules -> (env checks) -> report
    setup  = load profile -> (stamp matches? done) -> probe host -> plan -> lock -> build generation -> swap link

Stages return data; rendering and exit codes happen in `report/` and `cli/`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv import __version__
from llmenv.probe import HostFacts, probe_host
from llmenv.profiles.model import Profile
from llmenv.verify.model import Finding, Status, unique_ids, worst

DEFAULT_PROFILE = "transformers"


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
        from llmenv.verify.env import verify_env

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


# --- setup ------------------------------------------------------------------------------------------------------
#
#   setup = load profile -> (stamp matches? done) -> probe host -> plan -> lock -> build generation -> swap link


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


@dataclass(frozen=True)
class SetupReport:
    status: str  # planned | created | updated | up-to-date
    plan: Any  # llmenv.plan.model.Plan
    env: Path
    generation: Path | None
    steps: tuple[Any, ...]
    findings: tuple[Finding, ...]
    log: Path | None
    seconds: float
    smoke: Any = None  # llmenv.verify.smoke.runner.SmokeResult when the smoke test ran

    @property
    def exit_code(self) -> int:
        failed = any(f.status is Status.FAIL for f in self.findings)
        return 1 if failed or (self.smoke is not None and not self.smoke.passed) else 0


def setup(
    options: SetupOptions,
    progress: Callable[[str], Callable[[str], None]],
    smoke_events: tuple[Callable[[dict[str, Any]], None], Callable[[int, int | None], None]] | None = None,
) -> SetupReport:
    """Build (or find up to date) the env, then run the smoke test in it unless skipped or already passed there."""
    import dataclasses

    report = _setup(options, progress)
    if options.skip_smoke or options.dry_run or report.plan.smoke is None or report.generation is None:
        return report
    record = report.generation / SMOKE_RECORD
    if report.status == "up-to-date" and record.is_file():
        return report  # this generation already passed its smoke test
    progress("running the IMDB smoke test")
    on_event, on_download = smoke_events or ((lambda e: None), (lambda d, t: None))
    result = smoke(
        SmokeOptions(env=report.env, profile=options.profile, data=options.data, offline=options.offline),
        on_event,
        on_download,
    )
    if result.passed:
        record.write_text(json.dumps(result.to_dict(), indent=2), encoding="utf-8")
    return dataclasses.replace(report, smoke=result, seconds=report.seconds + (result.result or {}).get("wall_s", 0.0))


SMOKE_RECORD = "llmenv-smoke.json"


def _setup(options: SetupOptions, progress: Callable[[str], Callable[[str], None]]) -> SetupReport:
    from llmenv.execute.build import build_generation
    from llmenv.execute.store import EnvStore
    from llmenv.paths import new_log
    from llmenv.profiles.load import load_profile

    start = time.perf_counter()
    profile = load_profile(options.profile or DEFAULT_PROFILE)
    env = Path(os.path.abspath(options.env or profile.env))
    store = EnvStore.at(env)
    store.check_ownership()
    if not options.force and not options.dry_run:
        current = _up_to_date(store, profile, options)
        if current is not None:
            return SetupReport("up-to-date", current[0], env, current[1], (), (), None, time.perf_counter() - start)
    progress("probing the host")
    from packaging.specifiers import SpecifierSet

    facts = probe_host(offline=options.offline, env_path=env, python=SpecifierSet(profile.python), for_setup=True)
    plan = _with_lock(_plan(profile, facts, options, env), profile, facts)
    if options.dry_run:
        return SetupReport("planned", plan, env, None, (), (), None, time.perf_counter() - start)
    with store.locked(options.lock_timeout, on_wait=lambda: progress(f"waiting: another setup holds {env}'s lock")):
        stamp = store.stamp()
        if stamp and not options.force and stamp.get("key") == plan.stamp_key(__version__):
            # Another setup finished the same work while we waited for the lock.
            return SetupReport("up-to-date", plan, env, store.current(), (), (), None, time.perf_counter() - start)
        store.clean(background=True)
        existed = store.current() is not None
        log = new_log("setup")
        lock = Path(plan.lock_file) if plan.lock_file else None
        result = build_generation(store, plan, profile, facts, log, progress, requirements_file=lock)
    status = "updated" if existed else "created"
    return SetupReport(
        status,
        plan,
        env,
        result.generation,
        tuple(result.steps),
        tuple(result.findings),
        log,
        time.perf_counter() - start,
    )


def _plan(
    profile: Profile, facts: HostFacts, options: SetupOptions, env: Path, reachable: dict[str, bool] | None = None
) -> Any:
    from llmenv.execute.installers.uv import uv_binary
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
        overrides=overrides,
    )
    if reachable is None:
        url = choose_variant(profile, facts, accelerator).index_url
        reachable = {}
        if url and not options.offline:
            config = facts.pip_config.value
            cert = next(iter(config.get("cert")), None) if config else None
            reachable[url] = check_url(url, "variant", cafile=cert).reachable
    return make_plan(profile, facts, plan_options, reachable)


# --- smoke ------------------------------------------------------------------------------------------------------
#
#   smoke = which env and profile -> find/prepare the data -> run the payload in the env -> judge accuracy


@dataclass(frozen=True)
class SmokeOptions:
    env: Path | None = None
    profile: str | None = None
    framework: str | None = None
    data: Path | None = None
    epochs: int | None = None
    model: str | None = None
    offline: bool = False


def smoke(
    options: SmokeOptions, on_event: Callable[[dict[str, Any]], None], on_download: Callable[[int, int | None], None]
) -> Any:
    from llmenv.errors import UsageError
    from llmenv.execute.store import EnvStore
    from llmenv.paths import new_log
    from llmenv.profiles.load import load_profile
    from llmenv.verify.smoke.data import prepare
    from llmenv.verify.smoke.runner import run_smoke

    profile_ref = options.profile
    env = options.env
    if profile_ref is None and env is not None:
        stamp = EnvStore.at(env).stamp()
        if stamp:
            profile_ref = str(stamp.get("profile_source") or stamp.get("profile"))
    profile = load_profile(profile_ref or DEFAULT_PROFILE)
    env = Path(os.path.abspath(env or profile.env))
    framework = options.framework or (profile.smoke.framework if profile.smoke else None)
    if framework is None:
        raise UsageError(
            f"profile {profile.name} has no smoke block",
            where="--framework",
            fix="pass --framework torch, keras or transformers",
        )
    threshold = profile.smoke.min_accuracy if profile.smoke else 0.75
    budget = float(profile.smoke.time_budget_s) if profile.smoke else 600.0
    epochs = options.epochs or (profile.smoke.epochs if profile.smoke else None)
    data = prepare(options.data, offline=options.offline, progress=on_download)
    return run_smoke(
        env,
        framework,
        data,
        threshold=threshold,
        budget_s=budget,
        log=new_log("smoke"),
        epochs=epochs,
        model=options.model,
        on_event=on_event,
    )


def cache_key(profile_ref: str, accelerator: str | None, python: str | None) -> tuple[str, dict[str, Any]]:
    """Hash of everything that makes setup build a different env: the same inputs as the stamp's key, plus the
    platform, so a CI cache never restores an env built for another OS, libc or CPU."""
    import hashlib

    from packaging.specifiers import SpecifierSet

    from llmenv.profiles.load import load_profile

    profile = load_profile(profile_ref)
    facts = probe_host(offline=True, python=SpecifierSet(profile.python), for_setup=True)
    options = SetupOptions(profile=profile_ref, python=python, accelerator=accelerator)
    plan = _with_lock(_plan(profile, facts, options, Path(profile.env), reachable={}), profile, facts)
    system = facts.system.value
    platform = (
        f"{system.os}-{system.machine}-{system.libc or 'nolibc'}{system.libc_version or ''}".lower()
        if system
        else "unknown"
    )
    minor = "".join(plan.python_version.split(".")[:2])
    build = plan.variant.value if plan.variant else plan.accelerator.value
    parts = {
        "profile": plan.profile,
        "profile_hash": plan.profile_hash,
        "accelerator": plan.accelerator.value,
        "variant": plan.variant.value if plan.variant else None,
        "python": plan.python_version,
        "platform": platform,
        "requirements": list(plan.requirements),
        "lock_sha256": plan.lock_sha256,
        "llmenv_version": __version__,
    }
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]
    return f"llmenv-{plan.profile}-{build}-py{minor}-{platform}-{digest}", parts


def export(profile_ref: str, format: str, accelerator: str | None, python: str | None) -> str:
    from packaging.specifiers import SpecifierSet

    from llmenv.profiles.load import load_profile

    profile = load_profile(profile_ref)
    facts = probe_host(offline=True, python=SpecifierSet(profile.python), for_setup=True)
    plan = _plan(
        profile,
        facts,
        SetupOptions(profile=profile_ref, python=python, accelerator=accelerator),
        Path(profile.env),
        reachable={},
    )
    profile_file = None if profile.origin == "builtin" else Path(profile.source).name
    if format == "dockerfile":
        from llmenv.export.dockerfile import render

        nvidia = facts.nvidia.value
        cc = next((g.compute_capability for g in nvidia.gpus if g.compute_capability), None) if nvidia else None
        return render(plan, profile_ref, profile_file, nvidia.driver if nvidia else None, cc)
    if format == "devcontainer":
        from llmenv.export.devcontainer import render as render_devcontainer

        return render_devcontainer(plan)
    if format == "github-actions":
        from llmenv.export.workflow import render as render_workflow

        return render_workflow(plan, profile_ref if profile.origin == "builtin" else str(Path(profile.source).name))
    import tempfile

    from llmenv.execute.lock import write_lock
    from llmenv.paths import new_log
    from llmenv.plan.lockfiles import uv_platform

    system = facts.system.value
    platform = uv_platform(system.os, system.machine) if system else "x86_64-manylinux_2_28"
    with tempfile.TemporaryDirectory() as folder:
        path = write_lock(plan, Path(folder) / "requirements.txt", platform, new_log("export"))
        return path.read_text(encoding="utf-8")


def _with_lock(plan: Any, profile: Profile, facts: HostFacts) -> Any:
    """Use a hashed lock for this exact variant when one exists and was made from this profile's content."""
    import dataclasses
    import hashlib

    from llmenv.plan.lockfiles import lock_dirs, lock_name, uv_platform

    system = facts.system.value
    if system is None:
        return plan
    name = lock_name(plan, uv_platform(system.os, system.machine))
    for folder in lock_dirs(profile, Path.cwd()):
        path = folder / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if f"# profile content hash {plan.profile_hash}" not in text:
            warning = (
                f"ignoring {path}: it was locked from another version of profile {plan.profile} (run `llmenv lock`)"
            )
            return dataclasses.replace(plan, warnings=(*plan.warnings, warning))
        digest = hashlib.sha256(text.encode()).hexdigest()
        return dataclasses.replace(plan, lock_file=str(path), lock_sha256=digest)
    return plan


def lock(profile_ref: str, accelerators: list[str], python: str | None, output_dir: Path | None) -> list[Path]:
    from llmenv.execute.lock import write_lock
    from llmenv.paths import new_log
    from llmenv.plan.lockfiles import lock_dirs, lock_name, uv_platform
    from llmenv.profiles.load import load_profile

    profile = load_profile(profile_ref)
    facts = probe_host(offline=False)
    system = facts.system.value
    platform = uv_platform(system.os, system.machine) if system else "x86_64-manylinux_2_28"
    written = []
    log = new_log("lock")
    for accelerator in accelerators or [profile.accelerator]:
        options = SetupOptions(profile=profile_ref, python=python, accelerator=accelerator)
        plan = _plan(profile, facts, options, Path(profile.env))
        folder = output_dir or lock_dirs(profile, Path.cwd())[0]
        written.append(write_lock(plan, folder / lock_name(plan, platform), platform, log))
    return written


def _up_to_date(store: Any, profile: Profile, options: SetupOptions) -> tuple[Any, Path] | None:
    """The fast path of a re-run: recompute the plan from cheap facts and compare it with the stamp."""
    from llmenv.errors import LlmenvError
    from llmenv.probe import probe_for_rerun
    from llmenv.process import run
    from llmenv.verify.env import env_python

    stamp = store.stamp()
    current = store.current()
    if not stamp or current is None:
        return None
    facts = probe_for_rerun(str(stamp["python"]), str(stamp["python_version"]), "")
    try:
        # Reachability of the variant index is taken from the stamp: probing it would cost up to seconds.
        plan = _plan(profile, facts, options, store.env, reachable=_reachability_from(stamp, profile, facts, options))
        plan = _with_lock(plan, profile, facts)
    except LlmenvError:
        return None
    if stamp.get("key") != plan.stamp_key(__version__):
        return None
    if not run([str(env_python(current)), "-c", "pass"], timeout=30).ok:
        return None  # the env no longer runs (its base interpreter was removed?): rebuild
    return plan, current


def _reachability_from(
    stamp: dict[str, Any], profile: Profile, facts: HostFacts, options: SetupOptions
) -> dict[str, bool]:
    from llmenv.plan.variant import choose_variant

    url = choose_variant(profile, facts, options.accelerator or profile.accelerator).index_url
    return {url: not stamp.get("variant_index_fallback")} if url else {}


__all__ = [
    "DEFAULT_PROFILE",
    "DoctorReport",
    "SetupOptions",
    "SetupReport",
    "SmokeOptions",
    "cache_key",
    "doctor",
    "lock",
    "setup",
    "smoke",
]
