"""setup = load profile -> (stamp matches? done) -> probe host -> plan -> lock -> build generation -> swap link

then the smoke test in the new environment, unless skipped or already passed there."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv import __version__
from llmenv.probe import HostFacts, probe_host
from llmenv.profiles.model import Profile
from llmenv.verify.model import Finding, Status
from llmenv.workflow.common import DEFAULT_PROFILE, SetupOptions, plan_for, with_lock, with_remembered
from llmenv.workflow.rerun import Rerun, drop_leftovers, installed_drift, rerun_plan
from llmenv.workflow.smoke import SmokeOptions, smoke
from llmenv.workflow.switch import announce_switch, switched_from


@dataclass(frozen=True)
class SetupReport:
    status: str  # planned | created | updated | repaired | up-to-date | smoke-only
    plan: Any  # llmenv.plan.model.Plan
    env: Path
    generation: Path | None
    steps: tuple[Any, ...]
    findings: tuple[Finding, ...]
    log: Path | None
    seconds: float
    smoke: Any = None  # llmenv.verify.smoke.runner.SmokeResult when the smoke test ran
    changes: tuple[str, ...] = ()  # what a re-run found changed (drift, host, profile), in words

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

    from llmenv.execute.smoke_record import remember
    from llmenv.execute.store import EnvStore
    from llmenv.workflow.smoke_memory import data_to_use, recall, why_run

    report = _setup(options, progress)
    if report.generation is not None and not options.dry_run and _wants_kernel(options, report.env):
        report = _with_kernel(report, progress)
    if options.skip_smoke or options.dry_run or report.plan.smoke is None or report.generation is None:
        return report
    # A passed smoke test (real or synthetic data) is not repeated on the same generation; --data is remembered.
    memory = recall(report.generation) if report.status == "up-to-date" else None
    earlier = None if memory is not None else recall(EnvStore.at(report.env).previous())
    if why_run(memory, options.data, asked=options.smoke) is None:
        return report
    data, note = data_to_use(options.data, memory, earlier)
    if note:
        progress(note)
    progress("running the IMDB smoke test")
    on_event, on_download = smoke_events or ((lambda e: None), (lambda d, t: None))
    result = smoke(
        SmokeOptions(
            env=report.env, profile=options.profile, data=data, offline=options.offline, mirror=options.mirror
        ),
        on_event,
        on_download,
    )
    remember(report.generation, result.to_dict(), data)
    # An env that was already up to date but had not passed its smoke test (built with --skip-smoke): the only
    # work done was the smoke test, and the status says so.
    status = "smoke-only" if report.status == "up-to-date" else report.status
    seconds = report.seconds + (result.result or {}).get("wall_s", 0.0)
    return dataclasses.replace(report, status=status, smoke=result, seconds=seconds)


def with_kernel_package(profile: Profile, asked: bool) -> Profile:
    """The profile with ipykernel added when a Jupyter kernel is wanted (--jupyter or `jupyter: true`)."""
    import dataclasses

    from llmenv.plan.jupyter import IPYKERNEL
    from llmenv.profiles.model import merge_requirements

    if not (asked or profile.jupyter):
        return profile
    return dataclasses.replace(profile, packages=merge_requirements(profile.packages, [IPYKERNEL]), jupyter=True)


def kernel_registered(env: Path) -> bool:
    """A kernel setup --jupyter registered for this env earlier: it is kept (with ipykernel) by every later setup,
    so a re-run without the flag does not leave Jupyter a kernel that cannot start."""
    import platform

    from llmenv.plan.jupyter import spec_path

    return spec_path(env, os.environ, platform.system(), Path.home()).is_file()


def _wants_kernel(options: SetupOptions, env: Path) -> bool:
    from llmenv.profiles.load import load_profile

    return options.jupyter or kernel_registered(env) or load_profile(options.profile or DEFAULT_PROFILE).jupyter


def _with_kernel(report: SetupReport, progress: Callable[[str], Callable[[str], None]]) -> SetupReport:
    """Register the env's kernel (its spec goes through the env's stable path) and say where it is."""
    import dataclasses

    from llmenv.execute.jupyter import register_kernel
    from llmenv.plan.jupyter import kernel_name

    progress("registering the Jupyter kernel")
    spec = register_kernel(report.env, report.plan.profile, report.plan.python_version)
    finding = Finding(
        "setup.jupyter",
        "env",
        Status.OK,
        f"Jupyter kernel {kernel_name(report.env)} registered",
        f"{spec}: starts {report.env}'s Python (Jupyter and VS Code list it by that name)",
        None,
    )
    return dataclasses.replace(report, findings=(*report.findings, finding))


def _setup(options: SetupOptions, progress: Callable[[str], Callable[[str], None]]) -> SetupReport:
    from llmenv.errors import LlmenvError
    from llmenv.execute.store import EnvStore
    from llmenv.profiles.load import load_profile

    start = time.perf_counter()
    profile = load_profile(options.profile or DEFAULT_PROFILE)
    env = Path(os.path.abspath(options.env or profile.env))
    profile = with_kernel_package(profile, options.jupyter or kernel_registered(env))
    store = EnvStore.at(env)
    store.check_path()
    store.check_ownership()
    # What the env recorded (mirror set, --accelerator) stands for what this run was not told again; a flag that
    # changes it wins and is said in one line.
    options, remembered = with_remembered(options, store.typed_stamp())
    for line in remembered:
        progress(line)
    rerun = Rerun(None, None, (), repair=False)
    if not options.force and not options.dry_run:
        rerun = rerun_plan(store, profile, options)
        if rerun.plan is not None:
            drop_leftovers(store)
            return SetupReport("up-to-date", rerun.plan, env, rerun.current, (), (), None, time.perf_counter() - start)
    old = None if options.dry_run else switched_from(store.stamp(), profile.name)
    if old is not None:
        line = announce_switch(options.env or profile.env, old, profile.name, progress, options.confirm)
        others = tuple(c for c in rerun.changes if not c.startswith(f"profile {profile.name} "))
        rerun = Rerun(None, None, (line.removeprefix("switching "), *others), repair=False)
    elif rerun.changes:
        progress(f"{'repairing' if rerun.repair else 'updating'}: {'; '.join(rerun.changes)}")
    progress("probing the host")
    from packaging.specifiers import SpecifierSet

    facts = probe_host(
        offline=options.offline,
        env_path=env,
        python=SpecifierSet(profile.python),
        for_setup=True,
        explicit_python=options.python if options.python and os.sep in options.python else None,
    )
    plan = with_lock(plan_for(profile, facts, options, env), profile, facts)
    if options.dry_run:
        return SetupReport("planned", plan, env, None, (), (), None, time.perf_counter() - start)
    if plan.managed_python is not None:
        plan = _with_managed_python(plan, profile, options, env, progress)
    first, new_store = store.current() is None, not (store.home.exists() or store.home.is_symlink())
    try:
        return _build(store, plan, profile, facts, options, rerun, progress, start)
    except LlmenvError as exc:
        if new_store:  # leave nothing behind where there was nothing
            store.remove_if_left_empty()
        if first:
            raise first_run_failed(exc, env) from None
        raise


def first_run_failed(exc: Exception, env: Path) -> Exception:
    """A failure of the first setup of an env, told as what it is: there was no previous environment to keep, and
    nothing was created (the failed generation and the store are gone). Deeper code words its fixes for an update
    ("the previous environment is unchanged"); that is only true when there was one."""
    from llmenv.errors import LlmenvError

    if not isinstance(exc, LlmenvError):
        return exc
    nothing = f"nothing was created at {env} (there was no environment there before)"
    for attribute in ("what", "fix"):
        text = getattr(exc, attribute)
        if isinstance(text, str):
            text = text.replace("the previous environment is unchanged", nothing)
            text = text.replace(f"so {env} was left as it was", f"so {nothing}")
            setattr(exc, attribute, text)
    exc.args = (exc.what,)
    return exc


def _build(
    store: Any,
    plan: Any,
    profile: Profile,
    facts: HostFacts,
    options: SetupOptions,
    rerun: Rerun,
    progress: Callable[[str], Callable[[str], None]],
    start: float,
) -> SetupReport:
    """Under the env's lock: build, check and commit a new generation (or find that another setup just did)."""
    from llmenv.execute.build import build_generation
    from llmenv.paths import new_log
    from llmenv.trust.private import check_log_folder
    from llmenv.workflow.hub import hub_endpoint

    env = store.env
    # Its own step, so a read-only or full store is not blamed on the step before (probing the host).
    progress(f"locking {store.home.name}")
    with store.locked(options.lock_timeout, on_wait=lambda: progress(f"waiting: another setup holds {env}'s lock")):
        stamp = store.stamp()
        current = store.current()
        complete = stamp is not None and all(isinstance(stamp.get(k), str) for k in ("python", "python_version"))
        if (
            stamp
            and complete
            and current is not None
            and not options.force
            and stamp.get("key") == plan.stamp_key(__version__)
            and not installed_drift(stamp, current)
        ):
            # Another setup finished the same work while we waited for the lock.
            return SetupReport("up-to-date", plan, env, current, (), (), None, time.perf_counter() - start)
        store.clean(background=True)
        existed = current is not None
        log = new_log("setup")
        check_log_folder(log.parent)
        lock = Path(plan.lock_file) if plan.lock_file else None
        # When the smoke test follows, the checks write the bytecode it is about to read; else it is written in
        # the background so the verified env is ready sooner (docs/benchmarks.md).
        smoke_follows = not options.skip_smoke and plan.smoke is not None
        with hub_endpoint(plan.mirrors):  # the env's checks run with HF_ENDPOINT from the huggingface role
            result = build_generation(
                store,
                plan,
                profile,
                facts,
                log,
                progress,
                requirements_file=lock,
                compile_now=smoke_follows,
                asked={
                    "accelerator": options.accelerator,
                    "data": os.path.abspath(options.data) if options.data is not None else None,
                },
                check=env_checks(profile, facts, plan.decision),
            )
    status = ("repaired" if rerun.repair else "updated") if existed else "created"
    return SetupReport(
        status,
        plan,
        env,
        result.generation,
        tuple(result.steps),
        tuple(result.findings),
        log,
        time.perf_counter() - start,
        changes=rerun.changes,
    )


def env_checks(profile: Profile, facts: HostFacts, decision: Any) -> Any:
    """The build's verify step: the env's checks (verify/) against the plan's decision, in the form execute/
    takes them (`llmenv.execute.build.Checked`), so execute/ never imports the layer that judges its work."""
    from llmenv.execute.build import Checked
    from llmenv.paths import env_python
    from llmenv.verify.env import verify_env, warm_bytecode

    def check(generation: Path, write_bytecode: bool) -> Checked:
        findings = verify_env(generation, profile, facts, decision, write_bytecode=write_bytecode)
        counts = {s.value: sum(1 for f in findings if f.status is s) for s in Status}
        failed = tuple((f"{f.id}: {f.title} ({f.evidence[:200]})", f.fix) for f in findings if f.status is Status.FAIL)
        imported = [f.id.removeprefix("env.import.") for f in findings if f.id.startswith("env.import.")]
        return Checked(tuple(findings), counts, failed, lambda: warm_bytecode(env_python(generation), imported))

    return check


def _with_managed_python(
    plan: Any, profile: Profile, options: SetupOptions, env: Path, progress: Callable[[str], Callable[[str], None]]
) -> Any:
    """Ask (interactive, without --yes), install the planned CPython into llmenv's data folder, build with it."""
    import dataclasses

    from llmenv.errors import HostError
    from llmenv.execute.installers.managed_python import install_managed_python
    from llmenv.paths import new_log
    from llmenv.plan.model import Choice
    from llmenv.process import run

    managed = plan.managed_python
    question = (
        f"No installed Python fits profile {plan.profile}. Install managed CPython {managed.minor} "
        f"(python-build-standalone) into {managed.install_dir}?"
    )
    if options.confirm is not None and not options.confirm(question):
        raise HostError(
            f"{managed.why}, and installing managed CPython {managed.minor} was declined",
            fix=f"run `llmenv setup {options.profile or profile.name} --env {env} --yes` to install it, "
            "or install a fitting Python yourself",
        )
    progress(f"installing managed CPython {managed.minor} with uv")
    ref = profile.source if profile.origin == "path" else profile.name
    python = install_managed_python(managed, new_log("python"), f"llmenv setup {ref} --env {env}")
    result = run([str(python), "-c", "import platform; print(platform.python_version())"], timeout=60)
    version = result.stdout.strip() if result.ok else managed.minor
    why = f"managed CPython {version} installed by llmenv ({plan.python.why})"
    return dataclasses.replace(plan, python=Choice(str(python), why), python_version=version)


__all__ = ["SetupReport", "setup"]
