"""Which Python builds the env (plan/python.py): a venv on PATH leads to its base, every refusal says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmenv.errors import HostError, UsageError
from llmenv.plan.make import Options, make_plan
from llmenv.probe.interpreters import Command, Interpreter
from llmenv.profiles.load import load_profile
from tests.helpers.facts import host, interpreter, interpreters

BASE = Interpreter(
    "/usr/bin/python3.11", ("/usr/bin/python3.11",), ("PATH",), "3.11.7", "CPython", 64, "x86_64", "/usr", False, "/usr"
)
NEWER = Interpreter("/opt/py312/bin/python3.12", ("/opt/py312/bin/python3.12",), ("pyenv",), "3.12.3", "CPython", 64, "x86_64", "/opt/py312", False, "/opt/py312")  # fmt: skip
VENV = Interpreter("/home/u/llmenv/.venv/bin/python3", ("/home/u/llmenv/.venv/bin/python3",), ("PATH", "llmenv"), "3.11.7", "CPython", 64, "x86_64", "/home/u/llmenv/.venv", True, "/usr")  # fmt: skip


def _on_path(i: Interpreter) -> dict[str, Command]:
    command = Command("python3", i.found_at[0], i.executable, i.version, "run", prefix=i.prefix)
    return {"python3": command, "python": Command("python", None)}


def test_venv_first_on_path_leads_to_its_base_interpreter() -> None:
    """Failed before: the venv was refused and the newest Python (3.12) taken, with "the `python` on PATH is not
    inside the range" (it was inside; it was refused as a venv), so the choice and `ci cache-key` followed PATH."""
    with_venv = interpreters(VENV, BASE, NEWER, commands=_on_path(VENV))
    plan = make_plan(load_profile("torch"), host(interpreters=with_venv), Options(env=".venv"), {})
    assert plan.python.value == BASE.executable
    assert "virtual environment /home/u/llmenv/.venv" in plan.python.why and "3.11.7" in plan.python.why
    without = interpreters(BASE, NEWER, commands=_on_path(BASE))
    plain = make_plan(load_profile("torch"), host(interpreters=without), Options(env=".venv"), {})
    assert plain.python.value == plan.python.value and plain.stamp_key("x") == plan.stamp_key("x")


def test_path_python_refused_says_its_real_reason() -> None:
    old = Interpreter("/usr/bin/python3.9", ("/usr/bin/python3.9",), ("PATH",), "3.9.18", "CPython", 64, "x86_64", "/usr", False, "/usr")  # fmt: skip
    report = interpreters(old, NEWER, commands=_on_path(old))
    plan = make_plan(load_profile("torch"), host(interpreters=report), Options(env=".venv"), {})
    assert plan.python.value == NEWER.executable
    assert "`python3` on PATH is 3.9.18 (/usr/bin/python3.9): 3.9.18 is outside" in plan.python.why


def test_venv_whose_base_is_missing_is_said_so() -> None:
    report = interpreters(VENV, NEWER, commands=_on_path(VENV))
    plan = make_plan(load_profile("torch"), host(interpreters=report), Options(env=".venv"), {})
    assert plan.python.value == NEWER.executable
    assert "whose base Python (/usr) was not found" in plan.python.why


def test_requested_python_outside_the_range_is_explained() -> None:
    """Failed before: `--python 3.9` said "matches none of the Pythons found" although 3.9 is installed: setup's
    probe never started it, since its name shows it is outside the range."""
    report = interpreters(BASE, pruned=("/usr/bin/python3.9",))
    with pytest.raises(HostError) as info:
        make_plan(load_profile("torch"), host(interpreters=report), Options(env=".venv", python="3.9"), {})
    assert "--python 3.9 was refused: /usr/bin/python3.9 (Python 3.9) is outside >=3.10,<3.14" in info.value.what
    assert "numpy 2.2.6" in info.value.what and "matches none" not in info.value.what


def test_requested_python_listed_but_refused_says_why() -> None:
    old = interpreter("3.9.18", "/usr/bin/python3.9")
    with pytest.raises(HostError) as info:
        make_plan(
            load_profile("torch"), host(interpreters=interpreters(BASE, old)), Options(env=".venv", python="3.9"), {}
        )
    assert "--python 3.9 was refused: 3.9.18 /usr/bin/python3.9: 3.9.18 is outside" in info.value.what
    assert "uv python install" not in (info.value.fix or "")


def test_unsatisfiable_range_is_a_profile_error_not_install_advice(tmp_path: Path) -> None:
    """Failed before: `>=3.14,<3.15` with numpy 2.2's `<3.14` was answered with "`uv python install 3.12`"."""
    profile = tmp_path / "p314.yaml"
    profile.write_text("name: p314\npython: '>=3.14,<3.15'\npackages: [numpy==2.2.6]\n", encoding="utf-8")
    report = interpreters(interpreter("3.14.0", "/usr/bin/python3.14"))
    with pytest.raises(UsageError) as info:
        make_plan(load_profile(str(profile)), host(interpreters=report), Options(env=".venv"), {})
    assert info.value.exit_code == 2
    assert "can never be met" in info.value.what and "numpy 2.2.6: >=3.10,<3.14" in info.value.what
    assert "uv python install" not in (info.value.fix or "") and "widen" in (info.value.fix or "")
