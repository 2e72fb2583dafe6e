"""Interpreter discovery against real venvs: a venv's Python leads to its base interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from llmenv.plan.make import Options, make_plan
from llmenv.probe.facts import Probed
from llmenv.probe.interpreters import probe_interpreters
from llmenv.profiles.load import load_profile
from tests.conftest import CliResult
from tests.helpers.facts import host


def test_venv_alone_on_path_finds_and_plans_its_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Failed before: with only a venv's bin folder on PATH the base interpreter was not listed at all (its folder
    is not on PATH), so the plan took whatever else it found or none."""
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(tmp_path / "no-uv"))
    base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    venv = tmp_path / "venv"
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    report = probe_interpreters(path_value=str(venv / "bin"), trace_pip=False)
    listed = {os.path.realpath(i.executable): i for i in report.interpreters if not i.is_venv}
    assert os.path.realpath(base) in listed, report.interpreters
    assert "venv base" in listed[os.path.realpath(base)].found_by
    plan = make_plan(load_profile("torch"), host(interpreters=Probed(report, "real")), Options(env=".venv"), {})
    assert os.path.realpath(plan.python.value) == os.path.realpath(base)
    assert f"virtual environment {venv}" in plan.python.why


def test_dot_on_path_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Failed before: `.` on PATH counted as an existing folder and went unreported."""
    from llmenv.verify.host import verify_host
    from tests.helpers.host_context import host_context

    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    report = probe_interpreters(path_value=f".{os.pathsep}/usr/bin{os.pathsep}bin", trace_pip=False)
    facts = host(interpreters=Probed(report, "real"))
    findings = verify_host(facts, host_context(load_profile("torch"), facts, "auto"))
    [finding] = [f for f in findings if f.id == "path.relative-entry"]
    assert finding.status.value == "warn" and "'.', 'bin'" in finding.evidence


def test_unchanged_interpreters_are_answered_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Doctor asked every interpreter each time (0.45 s of its 0.7 s here). Unchanged ones are now answered from
    the cache; a changed file (a venv re-created at the same path) is asked again; a cache folder other users
    can write is not used."""
    import llmenv.probe.interpreter_query as interpreter_query

    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    venv = tmp_path / "venv"
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    asked: list[str] = []
    real_query = interpreter_query.query

    def counting(executable: str) -> tuple[dict[str, object] | None, str | None]:
        asked.append(executable)
        return real_query(executable)

    monkeypatch.setattr(interpreter_query, "query", counting)
    first = probe_interpreters(path_value=str(venv / "bin"), trace_pip=False)
    assert asked, "the first run must ask"
    asked.clear()
    second = probe_interpreters(path_value=str(venv / "bin"), trace_pip=False)
    assert asked == [] and second.interpreters == first.interpreters
    (venv / "bin" / "python3").unlink()
    os.symlink(base, venv / "bin" / "python3")
    probe_interpreters(path_value=str(venv / "bin"), trace_pip=False)
    assert asked == [str(venv / "bin" / "python3")]
    asked.clear()
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "llmenv" / "interpreters"
    cache.chmod(0o777)
    probe_interpreters(path_value=str(venv / "bin"), trace_pip=False)
    assert len(asked) >= 3  # python, python3, python3.11 and the base: all asked again


def test_cache_key_does_not_change_with_a_venv_first_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., CliResult]
) -> None:
    """Failed before on this machine (pyenv 3.10-3.13 besides the 3.11 llmenv runs on): with a venv made from
    3.11 first on PATH, the plan refused it and took the newest Python (3.13), so `ci cache-key` said py3.13
    instead of py3.11. Other Pythons come from pyenv when the base interpreter is a pyenv one."""
    base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    parts = Path(base).parts
    if "versions" in parts:
        monkeypatch.setenv("PYENV_ROOT", str(Path(*parts[: parts.index("versions")])))
    venv = tmp_path / "venv"
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    plain = os.pathsep.join([os.path.dirname(base), "/usr/bin", "/bin"])
    monkeypatch.setenv("PATH", plain)
    without = cli("ci", "cache-key", "torch").out.strip()
    monkeypatch.setenv("PATH", f"{venv / 'bin'}{os.pathsep}{plain}")
    with_venv = cli("ci", "cache-key", "torch").out.strip()
    assert with_venv == without and f"-py{sys.version_info[0]}{sys.version_info[1]}-" in without


def test_python_given_by_path_reports_the_same_facts_as_discovery(tmp_path: Path) -> None:
    """`--python PATH` built its Interpreter with a copy of discovery's constructor that left out base_prefix, so a
    venv given by path could not be traced to its base interpreter as the same venv found on PATH is."""
    from llmenv.probe import given_interpreter

    base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    venv = tmp_path / "venv"
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    given = given_interpreter(str(venv / "bin" / "python")).value
    assert given is not None
    (mine,) = given.interpreters
    found = probe_interpreters(path_value=str(venv / "bin"), trace_pip=False)
    same = next(i for i in found.interpreters if i.is_venv and i.prefix == str(venv))
    assert mine.is_venv and mine.base_prefix == same.base_prefix == sys.base_prefix
