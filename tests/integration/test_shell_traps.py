"""Doctor names what in the user's shell breaks their own `python` or `pip install` in the env (issue 19 items 9
and 10): PYTHONHOME, PYTHONPATH, PIP_USER / PIP_TARGET / PIP_PREFIX, a VIRTUAL_ENV whose folder was deleted, and a
pyenv version file naming an uninstalled Python. llmenv's own children run without these, which is why setup
succeeded while doctor said nothing before the fix. Where cheap, the claim is checked against the real tool."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.integration.test_fake_hosts import script

MINOR = f"{sys.version_info[0]}.{sys.version_info[1]}"
OTHER = "3.8" if MINOR != "3.8" else "3.9"


def doctor(cli: Callable[..., CliResult]) -> dict[str, dict[str, str]]:
    result = cli("doctor", "--json", "--offline")
    return {f["id"]: f for f in json.loads(result.out)["findings"]}


@pytest.fixture(autouse=True)
def clean_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PYTHONHOME", "PYTHONPATH", "PIP_USER", "PIP_TARGET", "PIP_PREFIX", "VIRTUAL_ENV", "PYENV_VERSION"):
        monkeypatch.delenv(name, raising=False)


def test_pythonhome_without_a_stdlib_fails_and_python_really_does(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "old-prefix"
    home.mkdir()
    real = subprocess.run(
        [sys.executable, "-c", "pass"], env={**os.environ, "PYTHONHOME": str(home)}, capture_output=True, text=True
    )
    assert real.returncode != 0 and "encodings" in real.stderr  # the failure the finding describes
    monkeypatch.setenv("PYTHONHOME", str(home))
    found = doctor(cli)["python.pythonhome"]
    assert found["status"] == "fail" and str(home) in found["evidence"] and "unset PYTHONHOME" in found["fix"]


def test_pythonhome_with_a_stdlib_is_a_warning(cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONHOME", sys.base_prefix)
    # doctor judges the `python` on PATH; the test's own interpreter is the one whose stdlib is surely there
    monkeypatch.setenv("PATH", f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}")
    found = doctor(cli)["python.pythonhome"]
    assert found["status"] == "warn" and "venvs included" in found["title"]


@pytest.mark.parametrize("entry", [f"/usr/lib/python{OTHER}/site-packages", "/nonexistent/llmenv-truth"])
def test_pythonpath_entries_that_break_python(
    cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch, entry: str
) -> None:
    monkeypatch.setenv("PYTHONPATH", entry)
    monkeypatch.setenv("PATH", f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}")
    found = doctor(cli)["python.pythonpath"]
    assert found["status"] == "warn" and entry in found["evidence"] and "PYTHONPATH" in found["fix"]


def test_pip_user_really_fails_in_a_venv_and_doctor_says_so(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    python = sys.executable  # the test suite runs in a venv (scripts/test): its own pip shows pip's answer
    if sys.prefix == sys.base_prefix:
        subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True, capture_output=True)
        python = str(tmp_path / "venv" / "bin" / "python")
    real = subprocess.run(
        [python, "-m", "pip", "install", "--no-index", "alpha"],
        env={**os.environ, "PIP_USER": "1", "PIP_CONFIG_FILE": os.devnull},
        capture_output=True,
        text=True,
    )
    assert real.returncode != 0 and "User site-packages are not visible in this virtualenv" in real.stderr
    monkeypatch.setenv("PIP_USER", "1")
    found = doctor(cli)["pip.redirect"]
    assert found["status"] == "warn" and "User site-packages are not visible" in found["evidence"]
    assert found["fix"].startswith("`unset PIP_USER`")


def test_pip_target_and_prefix_are_named(cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_TARGET", "/srv/libs")
    monkeypatch.setenv("PIP_PREFIX", "/opt/other")
    monkeypatch.setenv("PIP_USER", "0")  # off: not a redirect
    found = doctor(cli)["pip.redirect"]
    assert "/srv/libs, not into the env" in found["evidence"] and "under /opt/other" in found["evidence"]
    assert "PIP_USER" not in found["title"] and "`unset PIP_TARGET PIP_PREFIX`" in found["fix"]


def test_virtual_env_pointing_at_a_deleted_folder_is_not_ok(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "gone"))
    found = doctor(cli)["env.active"]
    assert found["status"] == "warn" and "no longer exists" in found["title"] and "deactivate" in found["fix"]
    (tmp_path / "here").mkdir()
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "here"))
    assert doctor(cli)["env.active"]["status"] == "ok"


@pytest.mark.parametrize("selected_by", [".python-version", "PYENV_VERSION"])
def test_pyenv_version_that_is_not_installed(
    cli: Callable[..., CliResult], tmp_path: Path, isolation: Path, monkeypatch: pytest.MonkeyPatch, selected_by: str
) -> None:
    root = tmp_path / "pyenv"
    (root / "versions" / "3.11.9").mkdir(parents=True)
    # pyenv's shim, as pyenv answers for a version it does not have
    message = f"pyenv: version `3.12.1' is not installed (set by {selected_by})"
    script(root / "shims", "python", f'#!/bin/sh\necho "{message}" >&2\nexit 1\n')
    monkeypatch.setenv("PYENV_ROOT", str(root))
    monkeypatch.setenv("PATH", f"{root / 'shims'}{os.pathsep}{os.environ['PATH']}")
    if selected_by == "PYENV_VERSION":
        monkeypatch.setenv("PYENV_VERSION", "3.12.1")
    else:
        (isolation / ".python-version").write_text("3.12.1\n")
    found = doctor(cli)["python.pyenv-version"]
    assert found["status"] == "fail" and "3.12.1" in found["title"]
    assert "pyenv install 3.12.1" in found["fix"] and selected_by in found["evidence"] + found["fix"]


def test_no_trap_no_finding(cli: Callable[..., CliResult]) -> None:
    found = doctor(cli)
    assert not {"python.pythonhome", "python.pythonpath", "pip.redirect", "python.pyenv-version"} & set(found)
