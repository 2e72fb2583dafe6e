"""When no installed interpreter fits the profile: plan a managed CPython (python-build-standalone through uv),
installed into llmenv's data folder, from the `python` mirror when one is set. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmenv.plan.needs import Needs
    from llmenv.probe.interpreters import InterpreterReport

PREFERRED_MINORS = ("3.12", "3.11", "3.13", "3.10")  # the frameworks' best-supported first


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
) -> ManagedPython | None:
    """None when an installed interpreter fits, or when one was named with --python, or without uv."""
    from llmenv.plan.python import reject_reason  # here: plan.python imports the plan model, which imports this

    if requested or not uv_available:
        return None
    if any(reject_reason(i, needs) is None for i in report.interpreters):
        return None
    minor = next((m for m in PREFERRED_MINORS if needs.python.contains(f"{m}.0")), None)
    if minor is None:
        return None
    found = ", ".join(sorted({i.version for i in report.interpreters})) or "none"
    why = f"no installed Python satisfies {needs.python} (found: {found})"
    return ManagedPython(minor, install_dir, mirror, why)


__all__ = ["PREFERRED_MINORS", "ManagedPython", "managed_python"]
