"""Which interpreter builds the environment: the one you already use when it fits, else the newest that fits."""

from __future__ import annotations

import os

from llmenv.errors import HostError
from llmenv.plan.model import Choice
from llmenv.plan.needs import Needs
from llmenv.probe.interpreters import Interpreter, InterpreterReport
from llmenv.tables.cuda import version_tuple


def _reject_reason(i: Interpreter, needs: Needs) -> str | None:
    if i.is_venv:
        return "is itself a virtual environment"
    if i.bits != 64:
        return f"{i.bits}-bit: no framework publishes 32-bit wheels"
    if i.implementation != "CPython":
        return f"{i.implementation}: the frameworks ship CPython wheels only"
    if not needs.python.contains(i.version):
        return f"{i.version} is outside {needs.python}"
    return None


def choose_interpreter(
    report: InterpreterReport, needs: Needs, requested: str | None, os_name: str
) -> tuple[Interpreter, Choice]:
    from llmenv.plan.fixes import install_python_fix

    candidates = list(report.interpreters)
    if requested:
        wanted = [i for i in candidates if _matches(i, requested)]
        if not wanted:
            raise HostError(
                f"--python {requested} matches none of the Pythons found "
                f"({', '.join(f'{i.version} {i.executable}' for i in candidates) or 'none'})",
                where="--python",
                fix="give a path to an interpreter or a version such as 3.12",
            )
        candidates = wanted
    rejected = [(f"{i.version} {i.executable}", why) for i in candidates if (why := _reject_reason(i, needs))]
    usable = [i for i in candidates if _reject_reason(i, needs) is None]
    if not usable:
        found = "; ".join(f"{v}: {why}" for v, why in rejected) or "no Python found"
        minor = next((f"3.{m}" for m in (12, 11, 13, 10) if needs.python.contains(f"3.{m}.0")), "3.12")
        raise HostError(
            f"no installed Python satisfies {needs.python} ({'; '.join(needs.python_reasons)}). Found: {found}",
            fix=install_python_fix(os_name, minor) + ", then run llmenv setup again",
        )
    preferred = _preferred(report)
    for name, prefix in preferred:
        for i in usable:
            if prefix and os.path.realpath(i.prefix) == os.path.realpath(prefix):
                others = [
                    (f"{u.version} {u.executable}", f"fits too, but `{name}` is {i.version}")
                    for u in usable
                    if u is not i
                ]
                return i, Choice(
                    i.executable,
                    f"`{name}` on PATH is Python {i.version}, inside {needs.python}",
                    tuple(rejected + others),
                )
    best = max(usable, key=lambda i: version_tuple(i.version))
    others = [(f"{u.version} {u.executable}", "older") for u in usable if u is not best]
    why = f"newest installed Python inside {needs.python} (the `python` on PATH is not)"
    return best, Choice(best.executable, why, tuple(rejected + others))


def _preferred(report: InterpreterReport) -> list[tuple[str, str | None]]:
    out = []
    for name in ("python3", "python"):
        command = report.commands.get(name)
        if command and command.interpreter:
            out.append((name, command.prefix))
    return out


def _matches(i: Interpreter, requested: str) -> bool:
    if os.sep in requested or requested.startswith("."):
        return os.path.realpath(requested) in (os.path.realpath(i.executable), *map(os.path.realpath, i.found_at))
    return i.version == requested or i.version.startswith(requested + ".")


__all__ = ["choose_interpreter"]
