"""The pip-configuration reader against pip itself: `pip config debug` / `pip config list` of a real pip in a real
venv, in a private HOME, with the machine's own PIP_* variables removed (the user's world)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmenv.probe.pipconfig import KEYS, canonical_key, probe_pip_config

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A venv with a site pip.conf of its own, whose `pip` runs the base interpreter's pip inside the venv (as
    ensurepip's script would, without its ~15 s of installing pip)."""
    folder = tmp_path_factory.mktemp("pipcfg") / "venv"
    base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    command = [base, "-m", "venv", "--without-pip", "--system-site-packages", str(folder)]
    subprocess.run(command, check=True, timeout=120, capture_output=True)
    script = folder / "bin" / "pip"
    script.write_text(
        f"#!{folder / 'bin' / 'python'}\nimport sys\nfrom pip._internal.cli.main import main\nsys.exit(main())\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    (folder / "pip.conf").write_text("[global]\ntimeout = 42\n[install]\nno-index = yes\n", encoding="utf-8")
    yield folder


def user_env(venv: Path, home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYENV", "VIRTUAL_ENV"))}
    env |= {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "PYENV_ROOT": str(home / ".pyenv")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env | extra


def pip_truth(env: dict[str, str]) -> tuple[set[tuple[str, str, bool]], dict[str, str]]:
    """(files as `pip config debug` lists them, merged settings as `pip config list` shows them)."""
    debug = subprocess.run(["pip", "config", "debug"], env=env, capture_output=True, text=True, timeout=60, check=True)
    files, kind = set(), ""
    for line in debug.stdout.splitlines():
        if not line.startswith(" "):
            kind = line.rstrip(":")
        elif line.startswith("  ") and not line.startswith("    ") and ", exists: " in line and kind != "env_var":
            path, _, exists = line.strip().rpartition(", exists: ")
            files.add((kind, path, exists == "True"))
    listed = subprocess.run(["pip", "config", "list"], env=env, capture_output=True, text=True, timeout=60, check=True)
    merged: dict[str, dict[str, str]] = {"global": {}, "install": {}, ":env:": {}}
    for line in listed.stdout.splitlines():
        name, _, value = line.partition("=")
        section, _, key = name.rpartition(".")
        if section in merged and canonical_key(key) in KEYS:
            merged[section][canonical_key(key)] = value.strip("'")
    return files, merged["global"] | merged["install"] | merged[":env:"]


def ours(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> tuple[set[tuple[str, str, bool]], dict[str, str]]:
    monkeypatch.setenv("HOME", env["HOME"])
    config = probe_pip_config(env)
    return set(config.files), {k: s.value.reveal() for k, s in config.settings.items()}


def test_site_file_is_the_users_pips_not_llmenvs(venv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Failed before: the site file was taken from llmenv's own venv (sys.prefix), so the user's venv's
    pip.conf (timeout 42, no-index under [install]) was missed."""
    env = user_env(venv, tmp_path)
    files, settings = pip_truth(env)
    assert ("site", str(venv / "pip.conf"), True) in files
    assert ours(env, monkeypatch) == (files, settings)
    assert settings["timeout"] == "42" and settings["no-index"] == "yes"


def test_config_file_devnull_loads_no_file(venv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Failed before: with PIP_CONFIG_FILE=/dev/null pip reads no file, but llmenv still applied the global and
    site files (here: the site file's timeout and no-index)."""
    env = user_env(venv, tmp_path, PIP_CONFIG_FILE=os.devnull)
    files, settings = pip_truth(env)
    assert ("env", os.devnull, True) in files
    assert ours(env, monkeypatch) == (files, settings)
    assert "timeout" not in settings and "no-index" not in settings


def test_default_timeout_variable_is_read(venv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Failed before: PIP_DEFAULT_TIMEOUT (pip's other spelling of --timeout) was not reported."""
    user = tmp_path / ".config" / "pip"
    user.mkdir(parents=True)
    (user / "pip.conf").write_text("[global]\nfind-links = /nowhere/wheels\n", encoding="utf-8")
    env = user_env(venv, tmp_path, PIP_DEFAULT_TIMEOUT="17")
    files, settings = pip_truth(env)
    assert ours(env, monkeypatch) == (files, settings)
    assert settings["timeout"] == "17" and settings["find-links"] == "/nowhere/wheels"
