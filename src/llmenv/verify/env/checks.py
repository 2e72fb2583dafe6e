"""Checks of an existing environment, run by its own interpreter: imports, versions against the pins and dependency
consistency; the GPU checks live in `gpu.py`.

`llmenv doctor --env` and the verification step of `llmenv setup` both call `verify_env`: one implementation.
"""

from __future__ import annotations

import os
import shlex
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from llmenv.plan.model import AcceleratorDecision
from llmenv.probe import HostFacts
from llmenv.probe.interpreters import venv_home
from llmenv.probe.libpath import Shadow, shadowing_libraries
from llmenv.process import run
from llmenv.profiles.model import Profile
from llmenv.tools import find_uv
from llmenv.verify.env.context import user_context_findings
from llmenv.verify.env.fixes import setup_command
from llmenv.verify.env.gpu import tf_gpu_finding, torch_gpu_finding
from llmenv.verify.env.plumbing import (
    IMPORT_TIMEOUT,
    KNOWN_MODULES,
    ImportResult,
    check_import,
    env_python,
    inspect,
    split_import,
)
from llmenv.verify.model import Finding, Status, fail, ok, warn


def verify_env(
    env: Path,
    profile: Profile | None,
    facts: HostFacts | None,
    accelerator: str | AcceleratorDecision = "auto",
    write_bytecode: bool = True,
    user_context: bool = False,
) -> list[Finding]:
    """`accelerator` is the plan maker's decision (setup passes its plan's, doctor the one it made once), so a CPU
    build the plan chose is judged as chosen, never as a failure; a bare name means there is none.

    `user_context` (doctor): also locate each imported module as the user's own shell would import it."""
    python = env_python(env)
    decision = _decision(profile, facts, accelerator)
    if not python.exists() and (python.is_symlink() or (env / "pyvenv.cfg").is_file()):
        return [_base_python_gone(env, python, profile)]
    if not python.exists():
        return [
            fail(
                "env.python",
                "env",
                f"no environment at {env}",
                f"{python} does not exist",
                f"create it with `{setup_command(profile, env)}`",
            )
        ]
    named = list(profile.checks.imports) if profile and profile.checks.imports else []
    with ThreadPoolExecutor(max_workers=_workers()) as pool:
        # The imports the profile names start first: they are the long pole (seconds for torch). Inspecting the
        # env and `uv pip check` queue behind them, one process per core, so that they never take a core from the
        # first import (five processes on two cores made verification 20% slower than the slowest import).
        started = [pool.submit(check_import, python, m, IMPORT_TIMEOUT, write_bytecode) for m in named]
        info_future = pool.submit(inspect, python)
        deps_future = pool.submit(check_dependencies, python)
        info, result = info_future.result()
        if info is None:
            return [
                fail(
                    "env.python",
                    "env",
                    "the environment's Python does not run",
                    f"{python}: {result.describe_failure()}",
                    f"rebuild it with `{setup_command(profile, env, force=True)}` "
                    "(its base interpreter may have been removed)",
                )
            ]
        findings = [ok("env.python", "env", f"Python {info['version']} ({info['bits']}-bit)", f"{info['executable']}")]
        if profile and not SpecifierSet(profile.python).contains(info["version"]):
            findings.append(
                fail(
                    "env.python-range",
                    "env",
                    f"Python {info['version']} is outside the profile's {profile.python}",
                    f"{python}",
                    f"rebuild with `{setup_command(profile, env, force=True)}`",
                )
            )
        installed: dict[str, str] = {str(canonicalize_name(k)): str(v) for k, v in info["distributions"].items()}
        if not started:  # no list in the profile: the modules of the known frameworks that are installed
            started = [
                pool.submit(check_import, python, m, IMPORT_TIMEOUT, write_bytecode)
                for m in _default_modules(installed)
            ]
        imports = [future.result() for future in started]
        shadows = shadowing_libraries()
        rebuild = setup_command(profile, env, force=True)
        findings += [_import_finding(r, shadows, rebuild) for r in imports]
        if shadows:
            findings.append(_shadow_finding(shadows, ok_imports=all(r.ok for r in imports)))
        if profile:
            concrete = decision.accelerator.value if decision else _named(accelerator)
            findings += check_versions(
                profile.packages_for(concrete),
                installed,
                info["markers"],
                profile.checks.versions,
                setup_command(profile, env),
            )
        findings.append(deps_future.result())
        if findings[-1].status is Status.FAIL:
            findings[-1] = _with_fix(findings[-1], setup_command(profile, env))
    imported = {r.module: r for r in imports if r.ok}
    if user_context:
        top = (split_import(m)[0].split(".")[0] for m in imported)
        findings += user_context_findings(python, list(dict.fromkeys(top)))
    gpu_wanted = profile.checks.gpu if profile else "auto"
    builds_for_gpu = decision is None or decision.accelerator.value != "cpu"
    rebuild = f"llmenv setup {profile.name if profile else ''} --env {env} --force".replace("  ", " ")
    for module, check in (("torch", torch_gpu_finding), ("tensorflow", tf_gpu_finding)):
        if module not in imported or gpu_wanted == "off":
            continue
        if builds_for_gpu or gpu_wanted == "required":
            findings.append(check(python, facts, gpu_wanted, decision, rebuild))
        elif decision is not None and decision.fallback is not None:
            # The plan chose the CPU build although a GPU is here, and said why: not a failure of this env.
            findings.append(
                warn(
                    f"env.gpu.{module}",
                    "gpu",
                    f"{module} runs on the CPU: the plan chose the CPU build",
                    f"{module} {imported[module].version}; {decision.fallback}",
                    decision.fix or "see `llmenv doctor` for what would let the GPU be used",
                )
            )
        else:
            # No GPU here: importing the framework a second time would only prove what the import check proved.
            version = imported[module].version
            findings.append(
                Finding(
                    f"env.gpu.{module}",
                    "gpu",
                    Status.SKIP,
                    f"no GPU on this host: {module} runs on the CPU",
                    f"{module} {version}",
                )
            )
    if not user_context:  # setup checks a generation folder; it registers the kernel on the env's path after
        return findings
    from llmenv.verify.env.jupyter import kernel_findings

    wanted = bool(profile and profile.jupyter)
    findings += kernel_findings(env, wanted, installed, setup_command(profile, env))
    if facts is None:
        return findings
    return findings + _finetune(env, python, profile, facts, installed, info["markers"], decision, accelerator)


def _finetune(
    env: Path,
    python: Path,
    profile: Profile | None,
    facts: HostFacts,
    installed: dict[str, str],
    markers: dict[str, str],
    decision: AcceleratorDecision | None,
    accelerator: str | AcceleratorDecision,
) -> list[Finding]:
    """The fine-tuner's traps (verify/env/finetune.py), with what they need read here: Requires-Dist, the host."""
    from llmenv.probe.installed import requirements_in
    from llmenv.profiles.model import project_name
    from llmenv.verify.env.finetune import finetune_findings, host_from

    if not {"transformers", "peft", "accelerate", "bitsandbytes", "flash-attn", "deepspeed"} & set(installed):
        return []
    flash = None
    if "flash-attn" in installed:
        result = check_import(python, "flash_attn", IMPORT_TIMEOUT, False)
        flash = None if result.ok else (result.error or "import failed")
    concrete = decision.accelerator.value if decision else _named(accelerator)
    packages = profile.packages if profile else ()
    offered = None
    if profile and any(project_name(r) == "bitsandbytes" for r in profile.packages_for("cuda")):
        offered = None if any(project_name(r) == "bitsandbytes" for r in profile.packages_for(concrete)) else concrete
    return finetune_findings(
        installed,
        requirements_in(env),
        markers,
        host_from(facts, os.environ),
        str(python),
        setup_command(profile, env),
        flash,
        packages,
        offered,
    )


def _workers() -> int:
    """One check process per core this process may run on (2 to 4)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 2)
    return max(2, min(4, cores))


def _decision(
    profile: Profile | None, facts: HostFacts | None, accelerator: str | AcceleratorDecision
) -> AcceleratorDecision | None:
    """The plan maker's decision when the caller has one; a bare name (the plan maker refused what was asked for,
    or no plan was made) is never re-resolved here: the GPU checks then judge what is installed."""
    if isinstance(accelerator, AcceleratorDecision):
        return accelerator
    return None


def _named(accelerator: str | AcceleratorDecision) -> str:
    if isinstance(accelerator, AcceleratorDecision):
        return accelerator.accelerator.value
    return "cpu" if accelerator == "auto" else accelerator


def _default_modules(installed: dict[str, str]) -> list[str]:
    return list(dict.fromkeys(m for dist, m in KNOWN_MODULES.items() if dist in installed))


def _base_python_gone(env: Path, python: Path, profile: Profile | None) -> Finding:
    """A venv outlives the Python it was made from (`uv python uninstall`, a distribution upgrade): its python is
    a dangling link. It exists, so "no environment" would send the user looking in the wrong place."""
    home = venv_home(str(env)) or "its base interpreter's folder"
    target = os.readlink(python) if python.is_symlink() else str(python)
    return fail(
        "env.python",
        "env",
        f"the environment at {env} exists, but the Python it was built from is gone",
        f"{python} -> {target}, which does not exist (pyvenv.cfg home = {home})",
        f"rebuild it with `{setup_command(profile, env, force=True)}` (a venv cannot be moved to another Python)",
    )


def _shadow_finding(shadows: list[Shadow], ok_imports: bool) -> Finding:
    listed = ", ".join(f"{s.folder}/{s.library}" for s in shadows[:6])
    title = "LD_LIBRARY_PATH holds libraries that shadow the wheels' own"
    fix = (
        "unset LD_LIBRARY_PATH (or remove those folders from it) in the shell that runs this env; "
        "`llmenv setup --force` cannot help, since the loader prefers LD_LIBRARY_PATH to the reinstalled files"
    )
    if ok_imports:
        return warn("env.ld-library-path", "env", title + " (the imports work today)", listed, fix)
    return fail("env.ld-library-path", "env", title, listed, fix)


def _import_finding(
    r: ImportResult, shadows: list[Shadow] | None = None, rebuild: str = "llmenv setup --force"
) -> Finding:
    module, name = split_import(r.module)
    fid = f"env.import.{module}.{name}" if name else f"env.import.{module}"
    statement = r.module if name else f"import {r.module}"  # `from M import N` is shown as written
    if r.ok:
        version = f" ({module} {r.version})" if name and r.version else f" {r.version}" if r.version else ""
        return ok(fid, "env", f"{statement}{version}", f"{r.seconds:.2f} s")
    return fail(fid, "env", f"{statement} fails", r.error or "", _import_fix(r.error or "", rebuild, shadows or []))


def _import_fix(error: str, rebuild: str, shadows: list[Shadow] | None = None) -> str:
    if shadows and any(
        s in error for s in ("GLIBCXX", "CXXABI", "undefined symbol", "cannot open shared object", ".so")
    ):
        folders = " ".join(dict.fromkeys(s.folder for s in shadows))
        return (
            f"LD_LIBRARY_PATH puts other copies of the wheels' libraries first ({folders}): run `unset "
            "LD_LIBRARY_PATH` (or drop those folders from it in your shell profile) and import again; "
            "`llmenv setup --force` cannot fix this, the reinstalled files would be shadowed the same way"
        )
    if "compiled using NumPy 1.x" in error or "_ARRAY_API not found" in error:
        return "NumPy 2 broke an extension built for NumPy 1: pin numpy<2 or upgrade the framework"
    if "Keras 3" in error:
        return "install tf-keras and set TF_USE_LEGACY_KERAS=1, or pin transformers<5"
    if "No module named" in error:
        return f"the package is missing: rebuild the env with `{rebuild}`"
    if "libcudnn" in error or "libcuda" in error or "cannot open shared object" in error:
        return "a CUDA library is missing or shadowed: check LD_LIBRARY_PATH and the driver (`nvidia-smi`)"
    return f"rebuild the env with `{rebuild}`; if it persists, report it with this error"


def check_versions(
    requirements: tuple[str, ...],
    installed: dict[str, str],
    markers: dict[str, str],
    extra: dict[str, str],
    repair: str = "llmenv setup",
) -> list[Finding]:
    problems = []
    checked = 0
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate(markers):
            continue
        name = canonicalize_name(requirement.name)
        checked += 1
        have = installed.get(name)
        if have is None:
            problems.append(f"{name} is not installed (wants {requirement.specifier})")
        elif not requirement.specifier.contains(have, prereleases=True):
            problems.append(f"{name} {have} (wants {requirement.specifier})")
    for dist, spec in extra.items():
        checked += 1
        have = installed.get(canonicalize_name(dist))
        if have is None or not SpecifierSet(spec).contains(have, prereleases=True):
            problems.append(f"{dist} {have or 'missing'} (wants {spec})")
    if problems:
        return [
            fail(
                "env.versions",
                "env",
                f"{len(problems)} installed versions differ from the profile",
                "; ".join(problems),
                f"bring the env back to its pins with `{repair}`",
            )
        ]
    return [ok("env.versions", "env", f"{checked} pinned packages match", "installed versions satisfy every pin")]


def check_dependencies(python: Path) -> Finding:
    uv = find_uv()
    if uv:
        from llmenv.probe.uvconfig import isolated_env

        env = isolated_env(os.environ)  # as every uv call of llmenv's: without the user's uv configuration
        result = run(
            [uv, "--no-config", "pip", "check", "--python", str(python)], timeout=60.0, env=env | {"NO_COLOR": "1"}
        )
        tool = "uv pip check"
    else:
        result = run([str(python), "-m", "pip", "check"], timeout=120.0)
        tool = "pip check"
    text = (result.stdout + result.stderr).strip()
    if result.ok:
        return ok(
            "env.dependencies", "env", "no dependency conflicts", f"{tool}: {text.splitlines()[-1] if text else 'ok'}"
        )
    if result.error or result.timed_out:
        return warn(
            "env.dependencies",
            "env",
            "dependency check did not run",
            result.describe_failure(),
            f"run `{shlex.join([uv, 'pip', 'check', '--python', str(python)] if uv else [str(python), '-m', 'pip', 'check'])}`"
            " by hand",
        )
    conflicts = [line.strip() for line in text.splitlines() if "requires" in line or "has requirement" in line]
    return fail(
        "env.dependencies",
        "env",
        "installed packages conflict",
        "; ".join(conflicts[:8]) or text[-500:],
        "re-run `llmenv setup`; if the profile itself pins incompatible versions, adjust the pins",
    )


def _with_fix(finding: Finding, repair: str) -> Finding:
    import dataclasses

    fix = (
        f"rebuild the env from its pins with `{repair}`; if the profile itself pins incompatible versions, "
        "adjust the pins"
    )
    return dataclasses.replace(finding, fix=fix)


__all__ = ["check_dependencies", "check_versions", "verify_env"]
