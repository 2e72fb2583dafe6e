"""When no installed interpreter fits the profile: plan a managed CPython (python-build-standalone through uv),
installed into llmenv's data folder, from the `python` mirror when one is set. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llmenv.plan.python import reject_reason

if TYPE_CHECKING:
    from llmenv.plan.needs import Needs
    from llmenv.probe.interpreters import InterpreterReport

# The frameworks' best-supported minors first; any other minor the bundled uv offers follows (minor_order).
PREFERRED_MINORS = ("3.12", "3.11", "3.13", "3.10")


def minor_order(available: tuple[str, ...] | None) -> tuple[str, ...]:
    """The order minors are tried in: the preferred ones the uv offers, then the rest it offers, closest to them
    first (3.14 before 3.15: more wheels exist for it). Without uv's list (it could not be read) the preferred
    ones alone."""
    if available is None:
        return PREFERRED_MINORS

    def number(minor: str) -> tuple[int, ...]:
        return tuple(int(p) for p in minor.split("."))

    newest = max(number(m) for m in PREFERRED_MINORS)
    rest = [m for m in available if m not in PREFERRED_MINORS]
    newer = sorted((m for m in rest if number(m) > newest), key=number)  # closest to the supported ones first
    older = sorted((m for m in rest if number(m) < newest), key=number, reverse=True)
    return tuple(m for m in PREFERRED_MINORS if m in available) + tuple(newer) + tuple(older)


@dataclass(frozen=True)
class ManagedPython:
    minor: str  # 3.12
    install_dir: str
    mirror: str | None  # UV_PYTHON_INSTALL_MIRROR, from the `python` role
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {"minor": self.minor, "install_dir": self.install_dir, "mirror": self.mirror, "why": self.why}


def managed_python(
    report: InterpreterReport,
    needs: Needs,
    requested: str | None,
    uv_available: bool,
    install_dir: str,
    mirror: str | None,
    available: tuple[str, ...] | None = None,
) -> ManagedPython | None:
    """None when an installed interpreter fits, or when one was named with --python, or without uv, or when the
    uv offers no minor the profile accepts. `available`: the minors the bundled uv can install (its own list)."""
    if requested or not uv_available:
        return None
    if any(reject_reason(i, needs) is None for i in report.interpreters):
        return None
    minor = next((m for m in minor_order(available) if needs.python.contains(f"{m}.0")), None)
    if minor is None:
        return None
    found = ", ".join(sorted({i.version for i in report.interpreters})) or "none"
    why = f"no installed Python satisfies {needs.python} (found: {found})"
    return ManagedPython(minor, install_dir, mirror, why)


__all__ = ["PREFERRED_MINORS", "ManagedPython", "managed_python", "minor_order"]
