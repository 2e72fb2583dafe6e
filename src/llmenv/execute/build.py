"""Build one environment generation: create the venv, install, verify, then commit (or discard).

Each step logs to one file; an installer failure becomes an InstallError (exit 4) naming the log and its most
relevant lines. Any exception, Ctrl-C included, discards the half-built generation and leaves the link alone.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv import __version__
from llmenv.errors import ChecksFailed, InstallError
from llmenv.execute.installers import run_command, sources_text
from llmenv.execute.installers.registry import get_installer
from llmenv.execute.profile_copy import keep_profile
from llmenv.execute.store import EnvStore
from llmenv.plan.model import Plan
from llmenv.probe import HostFacts
from llmenv.process import ProcResult
from llmenv.profiles.model import Profile

INSTALL_TIMEOUT = 3600.0
_RELEVANT = re.compile(
    r"(error|ERROR|×|No solution|not found|No matching distribution|Could not find|Because|hint:|conflict|"
    r"requires|Resolution|Failed|failed|denied|refused|timed out|certificate|Caused by|mismatch|[Hh]ash)"
)


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    detail: str = ""


@dataclass
class BuildResult:
    generation: Path
    steps: list[Step]
    findings: tuple[Any, ...]  # the env's checks (verify/'s findings), as the check returned them


def relevant_lines(text: str, limit: int = 10) -> list[str]:
    """The lines of an installer's output that say what went wrong (pipx-style distillation)."""
    lines = [line for line in text.splitlines() if line.strip()]
    picked = [line for line in lines if _RELEVANT.search(line)]
    return (picked or lines)[-limit:]


def _fail(
    what: str,
    result: ProcResult,
    log: Path,
    fix: str,
    env: Path | None = None,
    named_source: bool = False,
    doctor: str = "llmenv doctor",
) -> InstallError:
    """`named_source`: `fix` already names the unreachable host or index behind a missing pin, which says more
    than the general advice for "not found" or "network" that the output alone would give."""
    from llmenv.execute.installers.failures import classify_install_failure

    output = result.stdout + "\n" + result.stderr
    failure = classify_install_failure(output, str(env.parent if env else "the environment"), doctor)
    if failure.kind != "unknown" and not (named_source and failure.kind in ("not-found", "network", "hash")):
        fix = failure.fix  # a fix for the cause the output names (full disk, permissions, network, a missing pin)
    excerpt = "\n".join(f"  {line}" for line in relevant_lines(output))
    detail = result.describe_failure() if (result.error or result.timed_out) else f"exit status {result.returncode}"
    return InstallError(f"{what} failed ({detail}):\n{excerpt}\nFull log: {log}", fix=fix)


def _install_fix(plan: Plan, profile: Profile, result: ProcResult) -> tuple[str, bool]:
    """Name the hosts that could not be reached and suggest --mirror (True: a source was named); else the general
    advice."""
    from llmenv.execute.installers.failures import HASH_MISMATCH

    if plan.lock_file and HASH_MISMATCH.search(result.stdout + "\n" + result.stderr):
        return (
            f"a wheel's sha256 does not match its hash in the lock file {plan.lock_file} (edited by hand, or made "
            "for other wheels): make it again with `llmenv lock` or delete it; the previous environment is unchanged"
        ), True
    ref = profile.source if profile.origin == "path" else profile.name
    fix = sources_fix(plan, result.stdout + "\n" + result.stderr, f"llmenv setup {ref} --env {plan.env}")
    if fix:
        return fix + "; the previous environment is unchanged", True
    return (
        f"check the pins and that the indexes serve them (`{_doctor_command(profile)}` checks them); "
        "the previous environment is unchanged"
    ), False


def sources_fix(plan: Plan, output: str, again: str) -> str | None:
    """The one place where a failed install or lock names the source behind it. The plan's own hint (a named mirror
    that failed its probe, an unreachable variant index) is the whole story only when every host the installer
    itself could not reach is in it: with no network, or through a dead proxy, PyPI failed too, and the hint about
    the variant index alone sent the user after the wrong host. `again`: the command to repeat with `--mirror`."""
    from urllib.parse import urlsplit

    from llmenv.execute.installers import mirror_fix, unreachable_hosts
    from llmenv.plan.indexes import install_failure_hint, named_mirror_hint

    seen = unreachable_hosts(output)
    hint = named_mirror_hint(plan) or install_failure_hint(plan)
    if hint and all(h in hint for h in seen):
        return hint
    variant = plan.indexes.variant_index_unreachable
    hosts = [h for h in (urlsplit(u).hostname for u in plan.unreachable) if h]
    hosts += [h for h in [urlsplit(variant.reveal()).hostname if variant else None] if h and h not in hosts]
    hosts += [h for h in seen if h not in hosts]
    if not hosts:
        return None
    return proxy_fix(plan, hosts) or mirror_fix(hosts, again)


def proxy_fix(plan: Plan, hosts: list[str]) -> str | None:
    """When the requests went through a proxy, the proxy is what failed: name it and where it was set."""
    import os

    from llmenv.probe.proxy import proxy_for

    configured = (plan.indexes.proxy.reveal(), "pip configuration") if plan.indexes.proxy else None
    urls = [f"{scheme}://{h}/" for h in hosts for scheme in ("https", "http")]
    setting = next((s for u in urls if (s := proxy_for(u, os.environ, configured))), None)
    if setting is None:
        return None
    return (
        f"{', '.join(hosts)} could not be reached through {setting.describe()}: check that the proxy runs and its "
        f"address is right; if this network needs no proxy, {setting.unset_hint()} (a mirror does not help while "
        "every request goes through the proxy)"
    )


def _stalled(installer: str, plan: Plan, profile: Profile, result: ProcResult, log: Path) -> InstallError:
    """An installer that went silent: name what it was waiting for, and both ways out."""
    import shlex

    from llmenv.process import STALL_ENV

    sources = sources_text(plan)
    ref = profile.source if profile.origin == "path" else profile.name
    again = shlex.join(["llmenv", "setup", ref, "--env", plan.env, "--backend", plan.backend.value])
    return InstallError(
        f"installing with {installer} stopped: {result.describe_failure()} while waiting for {sources}; the index "
        f"accepts connections but does not answer (a firewall, proxy or mirror that hangs). Full log: {log}",
        fix=f"check that {sources} answers (`llmenv doctor` tests each index), fix the index or proxy in your pip "
        f"configuration, or allow longer silences: {STALL_ENV}=900 {again}",
    )


@dataclass(frozen=True)
class Checked:
    """What the env's checks found, as the build needs it: the findings (opaque here), how many per status, each
    failing check as ("id: title (evidence)", its fix), and what to run once the generation is committed (the
    background bytecode warm-up)."""

    findings: tuple[Any, ...]
    counts: dict[str, int]
    failed: tuple[tuple[str, str | None], ...]
    after_commit: Callable[[], None] | None = None


Check = Callable[[Path, bool], Checked]  # (generation, write bytecode now) -> what its checks found


def build_generation(
    store: EnvStore,
    plan: Plan,
    profile: Profile,
    facts: HostFacts,
    log: Path,
    progress: Callable[[str], Callable[[str], None]],
    requirements_file: Path | None = None,
    compile_now: bool = True,
    asked: dict[str, str | None] | None = None,
    check: Check | None = None,
) -> BuildResult:
    """`check` runs the env's checks (verify/, given by the workflow: execute/ does not import the layer that
    judges its work). `compile_now=False` (nothing runs in the env right after) checks imports without writing
    bytecode and writes it in the background once the generation is committed; see docs/benchmarks.md.

    Modes are explicit whatever the user's umask: the build runs under umask 022 (the installers inherit it), and
    group and other write are taken off the whole generation before anything in it runs."""
    from llmenv.execute.privacy import strip_tree
    from llmenv.paths import env_python
    from llmenv.probe.installed import installed_distributions

    installer = get_installer(plan.backend.value)
    gen = store.new_generation()
    steps: list[Step] = []
    umask = os.umask(0o022)  # the installers inherit it; restored below
    try:
        start = time.perf_counter()
        progress(f"creating the environment with {installer.name} (Python {plan.python_version})")
        result = installer.create(plan, gen, log)
        if not result.ok:
            raise _fail(
                "creating the virtual environment",
                result,
                log,
                f"check the interpreter with `{_doctor_command(profile)}`",
                gen,
                doctor=_doctor_command(profile),
            )
        steps.append(Step("create", time.perf_counter() - start, installer.name))
        start = time.perf_counter()
        count = len(plan.requirements)
        on_line = progress(f"installing {count} package{'' if count == 1 else 's'} with {installer.name}")
        command = installer.install_command(plan, env_python(gen), requirements_file)
        result = run_command(command, log, INSTALL_TIMEOUT, on_line, waiting_for=sources_text(plan))
        if result.stalled is not None:
            raise _stalled(installer.name, plan, profile, result, log)
        if not result.ok:
            fix, named = _install_fix(plan, profile, result)
            raise _fail(
                f"installing with {installer.name}",
                result,
                log,
                fix,
                gen,
                named_source=named,
                doctor=_doctor_command(profile),
            )
        seed = installer.seed_command(plan, env_python(gen)) if requirements_file else None
        if seed is not None:
            result = run_command(seed, log, INSTALL_TIMEOUT)
            if not result.ok:
                raise _fail(
                    "putting pip into the environment", result, log, "see the log", gen, doctor=_doctor_command(profile)
                )
        steps.append(Step("install", time.perf_counter() - start, f"{len(plan.requirements)} requirements"))
        strip_tree(gen)  # before anything in the env runs: no .pth another user could have slipped in
        start = time.perf_counter()
        progress("checking imports, pins, dependencies and the GPU in the new environment")
        checked = check(gen, compile_now) if check is not None else Checked((), {}, ())
        steps.append(Step("verify", time.perf_counter() - start, f"{len(checked.findings)} checks"))
        if checked.failed:
            summary = "; ".join(line for line, _ in checked.failed)
            raise ChecksFailed(
                f"the new environment failed its checks, so {plan.env} was left as it was: {summary}",
                fix=_fresh_install_fix(checked.failed[0][1], profile, log),
            )
        # The env keeps its own copy of the profile: a bundle's, in llmenv's cache, may be cleared.
        source = keep_profile(gen, profile.source)
        record = stamp(plan, checked.counts, source, installed_distributions(gen), host(facts, plan), asked)
        store.commit(gen, record)
        store.clean(background=True)
        if not compile_now and checked.after_commit is not None:
            checked.after_commit()
        return BuildResult(gen, steps, checked.findings)
    except BaseException:
        store.discard(gen)
        raise
    finally:
        os.umask(umask)


def _doctor_command(profile: Profile) -> str:
    """The doctor run that checks this profile's host facts and indexes, whole and quoted."""
    import shlex

    from llmenv.profiles.naming import profile_ref

    return shlex.join(["llmenv", "doctor", "--profile", profile_ref(profile)])


def _fresh_install_fix(fix: str | None, profile: Profile, log: Path) -> str:
    """A check failed on a generation just installed from the pins: re-running setup would install the same, so a
    fix that says "rebuild" (and names the discarded generation) is replaced by what can help."""
    from llmenv.profiles.naming import profile_ref

    if fix and "llmenv setup" not in fix:
        return fix
    return (
        f"a fresh install of profile {profile_ref(profile)}'s pins fails this check, so re-running setup cannot "
        f"help: correct the pins (or report it if they are right); the install log is {log}"
    )


def host(facts: HostFacts, plan: Plan) -> dict[str, Any]:
    from llmenv.plan.drift import host_fingerprint

    return host_fingerprint(facts, plan.python_version)


def stamp(
    plan: Plan,
    counts: dict[str, int],
    profile_source: str = "",
    installed: dict[str, str] | None = None,
    host_facts: dict[str, Any] | None = None,
    asked: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """What a re-run compares: the plan's key, and (since schema 2) the fingerprint of what is installed and of
    the host facts the plan was made from, so drift is noticed and named (plan/drift.py); and what the user chose
    (mirror set, --accelerator, --data), so later commands on the env use it (plan/stamp.py). `asked`: the
    choices as given (`accelerator`, `data`)."""
    from llmenv.plan.stamp import EnvStamp, mirror_record

    asked = asked or {}
    return EnvStamp(
        installed=installed if installed is not None else {},
        host=host_facts or {},
        profile_source=profile_source,
        key=plan.stamp_key(__version__),
        llmenv_version=__version__,
        profile=plan.profile,
        profile_hash=plan.profile_hash,
        python=plan.python.value,
        python_version=plan.python_version,
        backend=plan.backend.value,
        accelerator=plan.accelerator.value,
        accelerator_requested=asked.get("accelerator"),
        variant=plan.variant.value if plan.variant else None,
        variant_index_fallback=plan.variant_index_fallback,
        pypi_torch=plan.pypi_torch.to_dict() if plan.pypi_torch else None,  # a re-run plans the same from it
        requirements=list(plan.requirements),
        created=time.time(),
        checks=dict(counts),
        mirror=mirror_record(plan.mirrors),
        data=asked.get("data"),
    ).to_dict()


__all__ = [
    "BuildResult",
    "Check",
    "Checked",
    "ChecksFailed",
    "Step",
    "build_generation",
    "relevant_lines",
    "sources_fix",
    "stamp",
]
