"""Doctor's Python rules (verify/host/python.py) on hosts built from facts."""

from __future__ import annotations

from pathlib import Path

from llmenv.probe.interpreters import Command
from llmenv.profiles.load import load_profile
from llmenv.verify.host import verify_host
from llmenv.verify.model import Finding, Status
from tests.helpers.facts import host, interpreter, interpreters
from tests.helpers.host_context import host_context


def by_id(findings: list[Finding], fid: str) -> Finding:
    matches = [f for f in findings if f.id == fid]
    assert matches, f"no finding {fid} in {[f.id for f in findings]}"
    return matches[0]


def test_pip3_is_compared_with_python3() -> None:
    """Failed before: `pip3` was compared with `python`, so a `pip3` bound to another Python than `python3` (but
    to the same one as `python`) was reported as matching."""
    py311 = interpreter("3.11.7", "/usr/bin/python3.11")
    py312 = interpreter("3.12.3", "/opt/py312/bin/python3.12")
    py312 = type(py312)(**{**py312.__dict__, "prefix": "/opt/py312"})
    commands = {
        "python": Command("python", "/usr/bin/python", py311.executable, py311.version, "run", prefix="/usr"),
        "python3": Command(
            "python3", "/opt/py312/bin/python3", py312.executable, py312.version, "run", prefix="/opt/py312"
        ),
        "pip": Command("pip", "/usr/bin/pip", py311.executable, py311.version, "shebang", prefix="/usr"),
        "pip3": Command("pip3", "/usr/bin/pip3", py311.executable, py311.version, "shebang", prefix="/usr"),
    }
    facts = host(interpreters=interpreters(py311, py312, commands=commands))
    findings = verify_host(facts, host_context(load_profile("torch"), facts, "auto"))
    assert by_id(findings, "python.pip-matches").status is Status.OK
    pip3 = by_id(findings, "python.pip3-matches")
    assert pip3.status is Status.WARN
    assert "`pip3` installs into a different Python than `python3`" in pip3.title
    assert "python3 -m pip" in (pip3.fix or "")


def test_unsatisfiable_profile_is_not_install_advice(tmp_path: Path) -> None:
    """Failed before: doctor answered a range no Python can meet with "`uv python install 3.12`"."""
    profile = tmp_path / "p314.yaml"
    profile.write_text("name: p314\npython: '>=3.14,<3.15'\npackages: [numpy==2.2.6]\n", encoding="utf-8")
    facts = host(interpreters=interpreters(interpreter("3.14.0", "/usr/bin/python3.14")))
    finding = by_id(verify_host(facts, host_context(load_profile(str(profile)), facts, "auto")), "python.supported")
    assert finding.status is Status.FAIL and "can never be met" in finding.title
    assert "numpy 2.2.6: >=3.10,<3.14" in finding.evidence
    assert "uv python install" not in (finding.fix or "")


def test_supported_python_is_the_one_setup_uses() -> None:
    """Doctor named the newest fitting Python while setup took the base of the venv on PATH: now both come from
    the plan (plan/python.py)."""
    import dataclasses

    from llmenv.plan.make import Options, make_plan
    from llmenv.probe.interpreters import Interpreter

    base = interpreter("3.11.7", "/usr/bin/python3.11")
    newer = dataclasses.replace(interpreter("3.12.3", "/opt/py312/bin/python3.12"), prefix="/opt/py312")
    venv = Interpreter("/w/.venv/bin/python3", ("/w/.venv/bin/python3",), ("PATH",), "3.11.7", "CPython", 64, "x86_64", "/w/.venv", True, "/usr")  # fmt: skip
    command = Command("python3", "/w/.venv/bin/python3", venv.executable, "3.11.7", "run", prefix="/w/.venv")
    facts = host(interpreters=interpreters(venv, base, newer, commands={"python3": command}))
    plan = make_plan(load_profile("torch"), facts, Options(env=".venv"), {})
    ctx = dataclasses.replace(host_context(load_profile("torch"), facts, "auto"), plan=plan)
    finding = by_id(verify_host(facts, ctx), "python.supported")
    assert finding.title.startswith("Python 3.11.7 satisfies")
    assert "setup uses /usr/bin/python3.11" in finding.evidence and "virtual environment /w/.venv" in finding.evidence
