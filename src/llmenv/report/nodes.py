"""One line per node for `llmenv report merge`: did setup work there, what accelerator and build the env got, which
driver the node has, what doctor said, and, when the node failed, why in words. A cluster admin reads this first:
a node that failed is not "different", it is broken, and the merge must say so even when every node broke alike."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class NodeState:
    node: str
    setup: str  # created, up-to-date, ..., "failed (exit N)", "-" (not run on this node)
    accelerator: str
    build: str
    driver: str
    doctor: str  # the doctor's verdict, "error" or "no report"
    problem: str | None  # why the node fails, None when it does not

    def to_dict(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if key != "node"}


def _value(report: dict[str, Any], *path: str) -> Any:
    current: Any = report
    for key in path:
        current = current.get(key) if isinstance(current, dict) else None
    return current


def _error(report: dict[str, Any]) -> str:
    error = report.get("error") if isinstance(report.get("error"), dict) else {}
    return str(error.get("message") or "no message") if isinstance(error, dict) else "no message"


def node_state(node: str, doctor: dict[str, Any] | None, setup: dict[str, Any] | str | None) -> NodeState:
    """`setup` None: no setup ran on this node (a shared env, or no --setup folder); a string: why there is no
    setup report."""
    problems: list[str] = []
    if setup is None:
        setup_text = "-"
    elif isinstance(setup, str):
        setup_text = "no report"
        problems.append(setup)
    elif setup.get("schema") == "llmenv.error/1" or setup.get("exit_code") not in (0, None):
        code = setup.get("exit_code")
        setup_text = f"failed (exit {code})"
        why = _error(setup) if setup.get("schema") == "llmenv.error/1" else "its checks failed"
        problems.append(f"setup failed (exit {code}): {why}")
    else:
        setup_text = str(setup.get("status") or "-")
    if doctor is None:
        verdict, accelerator, build, driver = "no report", "-", "-", "-"
        problems.append("no doctor report (the node did not run its step, or llmenv could not start there)")
    elif doctor.get("schema") == "llmenv.error/1":
        verdict, accelerator, build, driver = "error", "-", "-", "-"
        problems.append(f"doctor could not run: {_error(doctor)}")
    else:
        verdict = str(doctor.get("verdict"))
        accelerator = str(_value(doctor, "plan", "accelerator", "value") or doctor.get("accelerator") or "-")
        build = str(_value(doctor, "plan", "variant", "value") or accelerator)
        nvidia = _value(doctor, "facts", "nvidia", "value", "driver")
        rocm = _value(doctor, "facts", "rocm", "value", "version")
        driver = str(nvidia or (f"ROCm {rocm}" if rocm else "-"))
        if verdict == "fail":
            failed = [f"{f.get('id')}" for f in doctor.get("findings") or [] if isinstance(f, dict) and
                      f.get("status") == "fail"]  # fmt: skip
            problems.append(f"doctor failed: {', '.join(failed) or 'see its report'}")
    return NodeState(node, setup_text, accelerator, build, driver, verdict, "; ".join(problems) or None)


__all__ = ["NodeState", "node_state"]
