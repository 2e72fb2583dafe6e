"""Which Python may build the environment, and which one does: the one place that holds the suitability rules.

Setup's choice and doctor's `python.*` findings both come from here, so they cannot disagree. A venv's Python
(llmenv's own, an activated project venv) is never used itself, since venvs do not nest; it leads to its base
interpreter, which is what the user runs Python with. Every rejection says its real reason.
"""

from __future__ import annotations

import os

from packaging.specifiers import SpecifierSet

from llmenv.errors import HostError, UsageError
from llmenv.plan.choice import Choice
from llmenv.plan.needs import Needs
from llmenv.probe.interpreters import Command, Interpreter, InterpreterReport, version_hint
from llmenv.tables.cuda import version_tuple

# Minors worth suggesting, best first: the most widely supported by the frameworks' wheels.
_SUGGESTED_MINORS = (12, 11, 13, 10, 14)


def reject_reason(i: Interpreter, needs: Needs) -> str | None:
    """Why `i` cannot build the env, or None when it can."""
    if i.is_venv:
        return "is a virtual environment (venvs do not nest: its base interpreter is considered instead)"
    if i.bits != 64:
        return f"{i.bits}-bit: no framework publishes 32-bit wheels"
    if i.implementation != "CPython":
        return f"{i.implementation}: the frameworks ship CPython wheels only"
    if not needs.python.contains(i.version):
        return f"{i.version} is outside {needs.python}"
    return None


def usable(interpreters: tuple[Interpreter, ...], needs: Needs) -> list[Interpreter]:
    return [i for i in interpreters if reject_reason(i, needs) is None]


def satisfiable(spec: SpecifierSet) -> bool:
    """Can any CPython 3 release meet `spec`? `>=3.14,<3.15` intersected with numpy's `<3.14` cannot."""
    return any(spec.contains(f"3.{minor}.{patch}") for minor in range(0, 40) for patch in (0, 5, 50))


def suggest_minor(needs: Needs) -> str:
    return next((f"3.{m}" for m in _SUGGESTED_MINORS if needs.python.contains(f"3.{m}.0")), "3.12")


def install_python_fix(os_name: str, version: str) -> str:
    """How to get a Python on this OS; uv ships with llmenv, so it is always an option."""
    by_os = {
        "Windows": f"`py install {version}` (Python install manager) or `winget install Python.Python.{version}`",
        "Darwin": f"`brew install python@{version}`",
        "Linux": f"`pyenv install {version}` or your distribution's python{version} package",
    }
    return f"`uv python install {version}` (uv comes with llmenv), or {by_os.get(os_name, by_os['Linux'])}"


def unsatisfiable_error(needs: Needs, profile: str | None) -> UsageError:
    name = f"profile '{profile}'" if profile else "the profile"
    return UsageError(
        f"{name} can never be met: no Python version satisfies {needs.python}, the intersection of "
        f"{'; '.join(needs.python_reasons)}",
        where="python",
        fix="widen the profile's `python` range, or pin releases of the packages above that support the Python "
        "you want (installing another Python cannot help)",
    )


def base_of(i: Interpreter, report: InterpreterReport) -> Interpreter | None:
    """The interpreter a venv was made from: same version, its prefix is the venv's base prefix."""
    if not i.is_venv:
        return i
    for other in report.interpreters:
        if (
            not other.is_venv
            and other.version == i.version
            and i.base_prefix
            and os.path.realpath(other.prefix) == os.path.realpath(i.base_prefix)
        ):
            return other
    return None


def on_path(report: InterpreterReport) -> list[tuple[Command, Interpreter]]:
    """`python3` then `python`, each with the interpreter it runs (as listed)."""
    out = []
    for name in ("python3", "python"):
        command = report.commands.get(name)
        if command is None or not command.interpreter or not command.prefix:
            continue
        for i in report.interpreters:
            same_prefix = os.path.realpath(i.prefix) == os.path.realpath(command.prefix)
            if same_prefix and i.version == command.python_version:
                out.append((command, i))
                break
    return out


def choose_interpreter(
    report: InterpreterReport, needs: Needs, requested: str | None, os_name: str, profile: str | None = None
) -> tuple[Interpreter, Choice]:
    if not satisfiable(needs.python):
        raise unsatisfiable_error(needs, profile)
    candidates = list(report.interpreters)
    if requested:
        candidates = _requested(report, needs, requested)
    rejected = [(f"{i.version} {i.executable}", why) for i in candidates if (why := reject_reason(i, needs))]
    fits = [i for i in candidates if reject_reason(i, needs) is None]
    if requested and not fits:
        raise HostError(
            f"--python {requested} was refused: " + "; ".join(f"{v}: {why}" for v, why in rejected),
            where="--python",
            fix=f"choose a Python inside {needs.python} (required by {'; '.join(needs.python_reasons)}), or leave "
            "--python out to let llmenv pick one",
        )
    if not fits:
        found = "; ".join(f"{v}: {why}" for v, why in rejected) or "no Python found"
        raise HostError(
            f"no installed Python satisfies {needs.python} ({'; '.join(needs.python_reasons)}). Found: {found}",
            fix=install_python_fix(os_name, suggest_minor(needs)) + ", then run llmenv setup again",
        )
    not_taken: list[str] = []
    for command, i in on_path(report):
        base = base_of(i, report)
        label = f"`{command.name}` on PATH"
        if i.is_venv:
            label += f" is the virtual environment {i.prefix}, whose base Python"
            if base is None:
                not_taken.append(f"{label} ({i.base_prefix}) was not found")
                continue
        for chosen in fits:
            if base is not None and chosen is base:
                others = [
                    (f"{u.version} {u.executable}", f"fits too, but {label} is {chosen.version}")
                    for u in fits
                    if u is not chosen
                ]
                why = f"{label} is Python {chosen.version} ({chosen.executable}), inside {needs.python}"
                return chosen, Choice(chosen.executable, why, tuple(rejected + others))
        target = base or i
        not_taken.append(f"{label} is {target.version} ({target.executable}): {reject_reason(target, needs)}")
    best = max(fits, key=lambda i: version_tuple(i.version))
    others = [(f"{u.version} {u.executable}", "older") for u in fits if u is not best]
    why = f"newest installed Python inside {needs.python}"
    if not_taken:
        why += f" ({'; '.join(dict.fromkeys(not_taken))})"
    return best, Choice(best.executable, why, tuple(rejected + others))


def _requested(report: InterpreterReport, needs: Needs, requested: str) -> list[Interpreter]:
    wanted = [i for i in report.interpreters if _matches(i, requested)]
    if wanted:
        return [base_of(i, report) or i for i in wanted]
    skipped = [p for p in report.pruned if _path_matches(p, requested)]
    if skipped:
        raise HostError(
            f"--python {requested} was refused: {', '.join(f'{p} (Python {version_hint(p)})' for p in skipped)} "
            f"is outside {needs.python} (required by "
            f"{'; '.join(needs.python_reasons)})",
            where="--python",
            fix=f"choose a Python inside {needs.python}, or leave --python out to let llmenv pick one",
        )
    raise HostError(
        f"--python {requested} matches none of the Pythons found "
        f"({', '.join(f'{i.version} {i.executable}' for i in report.interpreters) or 'none'})",
        where="--python",
        fix="give a path to an interpreter or a version such as 3.12",
    )


def _matches(i: Interpreter, requested: str) -> bool:
    if os.sep in requested or requested.startswith("."):
        return os.path.realpath(requested) in (os.path.realpath(i.executable), *map(os.path.realpath, i.found_at))
    return i.version == requested or i.version.startswith(requested + ".")


def _path_matches(path: str, requested: str) -> bool:
    if os.sep in requested or requested.startswith("."):
        return os.path.realpath(requested) == os.path.realpath(path)
    hint = version_hint(path)
    return hint is not None and (hint == requested or requested.startswith(hint + "."))


__all__ = [
    "base_of",
    "choose_interpreter",
    "install_python_fix",
    "on_path",
    "reject_reason",
    "satisfiable",
    "suggest_minor",
    "unsatisfiable_error",
    "usable",
]
