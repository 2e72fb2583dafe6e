"""Rules about Pythons and PATH: is there one, is it 64-bit and supported, does `pip` belong to it."""

from __future__ import annotations

import os
from pathlib import Path

from llmenv.plan.needs import Needs
from llmenv.plan.python import install_python_fix, satisfiable, suggest_minor, usable
from llmenv.probe import HostFacts
from llmenv.probe.interpreters import Command, Interpreter
from llmenv.tables.cuda import version_tuple
from llmenv.verify.host.context import SUPPORTED_MACHINES, HostContext, host_os
from llmenv.verify.model import Finding, fail, ok, warn


def rule_python_on_path(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    report = facts.interpreters.value
    if report is None:
        return [
            warn(
                "python.discovery",
                "python",
                "Python discovery failed",
                facts.interpreters.error or "",
                "run `llmenv probe` for details",
            )
        ]
    found = [c for c in (report.commands["python"], report.commands["python3"]) if c.path]
    if not found:
        return [
            fail(
                "python.on-path",
                "python",
                "no `python` or `python3` on PATH",
                f"PATH has {len(report.path_entries)} entries, none with a python",
                install_python_fix(host_os(facts), "3.12") + ", then open a new shell",
            )
        ]
    working = [c for c in found if c.interpreter]
    if not working:
        first = found[0]
        return [
            fail(
                "python.on-path",
                "python",
                f"`{first.name}` on PATH does not run",
                f"{first.path}: {first.error}",
                "remove the broken entry from PATH or reinstall that Python",
            )
        ]
    lines = [f"{c.name} -> {c.path} runs {c.interpreter} ({c.python_version})" for c in working]
    return [ok("python.on-path", "python", "Python on PATH", "; ".join(lines))]


def _same_python(pip: Command, python: Command) -> bool | None:
    if not pip.path or not python.interpreter:
        return None
    if pip.prefix and python.prefix:
        # The prefix, not the binary, decides where packages land: two venvs share one binary.
        return os.path.realpath(pip.prefix) == os.path.realpath(python.prefix)
    if pip.interpreter:
        return os.path.realpath(pip.interpreter) == os.path.realpath(python.interpreter)
    if pip.site_packages and pip.python_version and python.python_version:
        same_minor = python.python_version.startswith(pip.python_version)
        prefix = str(Path(python.interpreter).resolve().parent.parent)
        return same_minor and os.path.realpath(pip.site_packages).startswith(os.path.realpath(prefix))
    return None


def rule_pip_matches_python(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    report = facts.interpreters.value
    if report is None:
        return []
    out = []
    # `pip` goes with `python` and `pip3` with `python3`: that is how people type them.
    for name, partner, fallback in (("pip", "python", "python3"), ("pip3", "python3", "python")):
        pip = report.commands[name]
        python = report.commands[partner] if report.commands[partner].interpreter else report.commands[fallback]
        same = _same_python(pip, python)
        target = pip.interpreter or f"Python {pip.python_version} ({pip.site_packages})"
        if pip.path is None:
            out.append(
                ok(
                    f"python.{name}-matches",
                    "python",
                    f"`{name}` not on PATH",
                    "use `python -m pip`, which always matches",
                )
            )
        elif same is False:
            out.append(
                warn(
                    f"python.{name}-matches",
                    "python",
                    f"`{name}` installs into a different Python than `{python.name}`",
                    f"{pip.path} -> {target}; `{python.name}` -> {python.interpreter}",
                    f"run pip as `{python.name} -m pip ...` (llmenv always does), or put the matching bin folder "
                    "first on PATH",
                )
            )
        elif same is None:
            out.append(
                warn(
                    f"python.{name}-matches",
                    "python",
                    f"cannot tell which Python `{name}` uses",
                    f"{pip.path}: {pip.error or 'no shebang'}",
                    f"use `{python.name} -m pip`",
                )
            )
        else:
            out.append(
                ok(
                    f"python.{name}-matches",
                    "python",
                    f"`{name}` matches `{python.name}`",
                    f"{pip.path} -> {target} ({pip.via})",
                )
            )
    return out


def rule_active_env(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    report = facts.interpreters.value
    if report is None:
        return []
    active = [f"venv {report.active_venv}"] if report.active_venv else []
    active += [f"conda {report.active_conda}"] if report.active_conda else []
    if report.active_venv and report.active_conda:
        return [
            warn(
                "env.active",
                "python",
                "a venv and a conda env are both active",
                "; ".join(active),
                "deactivate one (`deactivate` / `conda deactivate`) so `python` and `pip` agree",
            )
        ]
    shell = facts.shell.value
    if report.active_venv and shell is not None and shell.virtual_env_exists is False:
        return [
            warn(
                "env.active",
                "python",
                "the active venv's folder no longer exists",
                f"VIRTUAL_ENV={report.active_venv}: deleted after activation; `python` and `pip` now come from "
                "elsewhere on PATH",
                "`deactivate` (or open a new shell), then activate an env that exists",
            )
        ]
    evidence = "; ".join(active) if active else "none (llmenv does not need one: it creates its own)"
    return [ok("env.active", "python", "active environment", evidence)]


def rule_bitness(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    system = facts.system.value
    report = facts.interpreters.value
    if system is None:
        return []
    out = []
    if system.machine.lower() not in SUPPORTED_MACHINES or system.os_bits != 64:
        out.append(
            fail(
                "platform.arch",
                "platform",
                f"{system.machine} ({system.os_bits}-bit) has no PyTorch or TensorFlow wheels",
                f"{system.os} {system.machine}, {system.os_bits}-bit OS",
                "use a 64-bit OS on x86_64 or arm64/aarch64 (or a container on such a host)",
            )
        )
    else:
        out.append(ok("platform.arch", "platform", "64-bit OS on a supported CPU", f"{system.os} {system.machine}"))
    if report is None:
        return out
    python = report.commands["python"] if report.commands["python"].interpreter else report.commands["python3"]
    thirty_two = [i for i in report.interpreters if i.bits == 32]
    default_32 = [
        i
        for i in thirty_two
        if python.interpreter and os.path.realpath(i.executable) == os.path.realpath(python.interpreter)
    ]
    if default_32:
        out.append(
            fail(
                "python.bitness",
                "python",
                f"`{python.name}` is a 32-bit Python",
                f"{default_32[0].executable} ({default_32[0].version}, 32-bit) on a {system.os_bits}-bit OS; "
                "no framework publishes 32-bit wheels ('not a supported wheel on this platform')",
                install_python_fix(system.os, "3.12") + " (the 64-bit build)",
            )
        )
    elif thirty_two:
        out.append(
            warn(
                "python.bitness",
                "python",
                "32-bit Pythons are installed",
                ", ".join(f"{i.executable} ({i.version})" for i in thirty_two),
                "llmenv skips them; uninstall them to avoid picking one by accident",
            )
        )
    else:
        out.append(
            ok("python.bitness", "python", "every Python found is 64-bit", f"{len(report.interpreters)} interpreters")
        )
    if report.broken:
        out.append(
            warn(
                "python.broken",
                "python",
                f"{len(report.broken)} Python executables do not run",
                "; ".join(f"{p}: {why}" for p, why in report.broken),
                "remove or repair them; they can shadow working ones on PATH",
            )
        )
    return out


def supporting(interpreters: tuple[Interpreter, ...], needs: Needs) -> list[Interpreter]:
    """The interpreters setup may use (plan/python.py holds the rules)."""
    return usable(interpreters, needs)


def rule_python_supported(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    report = facts.interpreters.value
    if ctx.needs is None or report is None:
        return []
    needs = ctx.needs
    fits = usable(report.interpreters, needs)
    found = ", ".join(f"{i.version}" for i in report.interpreters if not i.is_venv) or "none"
    reasons = "; ".join(needs.python_reasons)
    if not satisfiable(needs.python):
        return [
            fail(
                "python.supported",
                "python",
                f"the profile can never be met: no Python version satisfies {needs.python}",
                f"the intersection of {reasons} is empty",
                "widen the profile's `python` range, or pin package releases that support the Python you want "
                "(installing another Python cannot help)",
            )
        ]
    if not fits:
        wanted = suggest_minor(needs)
        return [
            fail(
                "python.supported",
                "python",
                f"no installed Python satisfies {needs.python}",
                f"found {found}; required by {reasons}",
                install_python_fix(host_os(facts), wanted),
            )
        ]
    best = max(fits, key=lambda i: version_tuple(i.version))
    chosen, version, why = best.executable, best.version, ""
    if ctx.plan is not None:
        # The interpreter setup would use, with its reason: one decision (plan/python.py), not a second guess.
        chosen, version, why = ctx.plan.python.value, ctx.plan.python_version, f"; {ctx.plan.python.why}"
    out = [
        ok(
            "python.supported",
            "python",
            f"Python {version} satisfies {needs.python}",
            f"setup uses {chosen}{why}; {len(fits)} suitable of {found}; from {reasons}",
        )
    ]
    python = report.commands["python"]
    if python.python_version and not needs.python.contains(python.python_version):
        out.append(
            warn(
                "python.default-supported",
                "python",
                f"`python` is {python.python_version}, outside {needs.python}",
                f"{python.path} -> {python.interpreter}",
                f"nothing to do for llmenv (setup picks {chosen}); to use that Python by hand, call it by "
                "its full path",
            )
        )
    return out


def rule_path_entries(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    report = facts.interpreters.value
    if report is None:
        return []
    out = []
    if report.missing_path_entries:
        out.append(
            warn(
                "path.missing-dirs",
                "path",
                f"{len(report.missing_path_entries)} PATH entries do not exist",
                ", ".join(report.missing_path_entries),
                "remove them from PATH in your shell profile (stale entries hide typos and slow lookups)",
            )
        )
    else:
        out.append(ok("path.missing-dirs", "path", "every PATH entry exists", f"{len(report.path_entries)} entries"))
    if report.duplicate_path_entries:
        out.append(
            warn(
                "path.duplicates",
                "path",
                "PATH lists folders more than once",
                ", ".join(report.duplicate_path_entries),
                "remove the repeats from your shell profile (usually a line that prepends to PATH on every "
                "shell start)",
            )
        )
    else:
        out.append(ok("path.duplicates", "path", "no duplicate PATH entries", f"{len(report.path_entries)} entries"))
    if report.empty_path_entry:
        out.append(
            warn(
                "path.empty-entry",
                "path",
                "PATH has an empty entry (the current folder)",
                "an empty entry (`::` or a trailing `:`) makes every folder you cd into searchable",
                "remove the empty entry from PATH",
            )
        )
    if report.untrusted_path_entries:
        out.append(
            warn(
                "path.untrusted-entry",
                "path",
                "PATH has folders another user owns or can write; llmenv runs nothing from them",
                "; ".join(why for _, why in report.untrusted_path_entries),
                "remove these folders from PATH (or take others' write access away, if they are yours): "
                "a program another user put there would run with your rights (root's, under sudo)",
            )
        )
    if report.dot_path_entries:
        out.append(
            warn(
                "path.relative-entry",
                "path",
                "PATH has relative entries (searched from whatever folder you are in)",
                ", ".join(repr(e) for e in report.dot_path_entries),
                "remove them from PATH in your shell profile: with `.` on PATH, a `python` or `pip` file in the "
                "folder you cd into runs instead of the real one",
            )
        )
    if report.store_stubs:
        out.append(
            warn(
                "path.windows-store-stub",
                "path",
                "Windows Store Python alias stubs on PATH",
                ", ".join(report.store_stubs),
                "turn off the python.exe/python3.exe App Execution Aliases (Settings > Apps > Advanced app "
                "settings) or install Python from python.org",
            )
        )
    return out


__all__ = [
    "rule_active_env",
    "rule_bitness",
    "rule_path_entries",
    "rule_pip_matches_python",
    "rule_python_on_path",
    "rule_python_supported",
    "supporting",
]
