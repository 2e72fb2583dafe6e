"""Interpreter discovery against real venvs: a venv's Python leads to its base interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from llmenv.plan.make import Options, make_plan
from llmenv.probe.facts import Probed
from llmenv.probe.interpreters import probe_interpreters
from llmenv.profiles.load import load_profile
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
    from llmenv.verify.host import context_for, verify_host

    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    report = probe_interpreters(path_value=f".{os.pathsep}/usr/bin{os.pathsep}bin", trace_pip=False)
    facts = host(interpreters=Probed(report, "real"))
    findings = verify_host(facts, context_for(load_profile("torch"), facts, "auto"))
    [finding] = [f for f in findings if f.id == "path.relative-entry"]
    assert finding.status.value == "warn" and "'.', 'bin'" in finding.evidence
