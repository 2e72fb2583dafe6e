"""doctor --env looks at the Python the user runs: a package in the working folder or on PYTHONPATH that shadows
the env's own copy is reported with its path and the fix, although the isolated import check passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult


@pytest.fixture
def env_with_alpha(tmp_path: Path) -> tuple[Path, Path]:
    """A real venv holding a real package `alpha` in its site-packages, and a profile that checks it."""
    base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    env = tmp_path / "env"
    subprocess.run([base, "-m", "venv", "--without-pip", str(env)], check=True, timeout=120)
    [site] = list(env.glob("lib/python*/site-packages"))
    (site / "alpha").mkdir()
    (site / "alpha" / "__init__.py").write_text("__version__ = '1.0'\n", encoding="utf-8")
    profile = tmp_path / "tiny.yaml"
    profile.write_text(
        "name: tiny\npython: '>=3.10'\npackages: [alpha==1.0]\nchecks:\n  imports: [alpha]\n", encoding="utf-8"
    )
    return env, profile


def shadow(folder: Path) -> Path:
    """A source checkout's package: importing it fails, as an unbuilt PyTorch checkout's `torch` does."""
    (folder / "alpha").mkdir(parents=True)
    (folder / "alpha" / "__init__.py").write_text("raise ImportError('alpha is not built')\n", encoding="utf-8")
    return folder / "alpha"


def doctor(cli: Callable[..., CliResult], env: Path, profile: Path) -> dict[str, dict[str, str]]:
    result = cli("doctor", "-p", str(profile), "--env", str(env), "--offline", "--json")
    return {f["id"]: f for f in json.loads(result.out)["findings"]}


def test_package_in_the_working_folder_shadows_the_env(
    env_with_alpha: tuple[Path, Path], cli: Callable[..., CliResult], isolation: Path
) -> None:
    """Failed before: env.import.alpha passed (isolated) while `python -c 'import alpha'` here fails."""
    env, profile = env_with_alpha
    shadow(isolation)
    user = subprocess.run([str(env / "bin" / "python"), "-c", "import alpha"], capture_output=True, cwd=isolation)
    assert user.returncode == 1 and b"alpha is not built" in user.stderr  # the defect, as the user meets it
    found = doctor(cli, env, profile)
    assert found["env.import.alpha"]["status"] == "ok"
    context = found["env.user-context.alpha"]
    assert context["status"] == "fail" and "the working folder" in context["title"]
    assert str(isolation / "alpha") in context["title"] and "run Python from another folder" in context["fix"]


def test_pythonpath_entry_shadows_the_env(
    env_with_alpha: tuple[Path, Path], cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, profile = env_with_alpha
    other = tmp_path / "elsewhere"
    shadow(other)
    monkeypatch.setenv("PYTHONPATH", str(other))
    context = doctor(cli, env, profile)["env.user-context.alpha"]
    assert context["status"] == "fail" and f"PYTHONPATH entry {other}" in context["title"]
    assert "unset PYTHONPATH" in context["fix"]


def test_clean_context_is_ok(env_with_alpha: tuple[Path, Path], cli: Callable[..., CliResult]) -> None:
    env, profile = env_with_alpha
    assert doctor(cli, env, profile)["env.user-context"]["status"] == "ok"
