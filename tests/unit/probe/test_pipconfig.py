"""Whose pip is it? The site pip.conf belongs to the interpreter behind the user's `pip`, found from files only."""

from __future__ import annotations

import os
from pathlib import Path

from llmenv.probe.pipconfig import config_files, effective, loads_no_files, user_pip_prefix


def script(path: Path, first_line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{first_line}\nimport sys\n", encoding="utf-8")
    path.chmod(0o755)


def test_pip_in_a_venv_gives_the_venv(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    script(venv / "bin" / "pip", f"#!{venv / 'bin' / 'python'}")
    assert user_pip_prefix({"HOME": str(tmp_path)}, str(venv / "bin")) == str(venv)


def test_pyenv_shim_resolved_as_pyenv_does(tmp_path: Path) -> None:
    root = tmp_path / "pyenv"
    script(root / "shims" / "pip", "#!/usr/bin/env bash")
    (root / "version").write_text("3.12.1\n", encoding="utf-8")
    env = {"PYENV_ROOT": str(root)}
    assert user_pip_prefix(env, str(root / "shims")) == str(root / "versions" / "3.12.1")
    assert user_pip_prefix(env | {"PYENV_VERSION": "3.11.9"}, str(root / "shims")) == str(root / "versions/3.11.9")


def test_a_bash_wrapper_is_not_taken_for_python(tmp_path: Path) -> None:
    script(tmp_path / "bin" / "pip", "#!/usr/bin/env bash")
    assert user_pip_prefix({"PYENV_ROOT": str(tmp_path / "none")}, str(tmp_path / "bin")) is None


def test_devnull_lists_files_but_loads_none(tmp_path: Path) -> None:
    env = {"PIP_CONFIG_FILE": os.devnull, "PIP_DEFAULT_TIMEOUT": "9"}
    files = config_files(env, system="Linux", home=tmp_path, prefix="/p")
    assert ("env", Path(os.devnull)) in files and not any(kind == "user" for kind, _ in files)
    assert loads_no_files(env)
    assert effective([], env)["timeout"].value.reveal() == "9"
