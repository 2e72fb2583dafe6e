"""The project's own .gitignore matches what `llmenv setup` makes in a clone: the env links (`.venv`, `.venv-tf`,
`.venv-full`, which a `.venv/` pattern does not match, since a link is not a directory to git) and their stores."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("env", [".venv", ".venv-tf", ".venv-full", ".venv-dev"])
def test_env_links_and_stores_are_ignored(tmp_path: Path, env: str) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    shutil.copy(REPO / ".gitignore", tmp_path / ".gitignore")
    store = tmp_path / f"{env}.llmenv"
    (store / "gen-1").mkdir(parents=True)
    os.symlink(os.path.join(f"{env}.llmenv", "gen-1"), tmp_path / env, target_is_directory=True)
    for path in (env, f"{env}.llmenv/gen-1/x"):
        done = subprocess.run(["git", "-C", str(tmp_path), "check-ignore", "-q", "--no-index", path], check=False)
        assert done.returncode == 0, f"{path} is not ignored"
    # Source stays visible: the profiles and a file that merely starts with ".venv" in a subfolder's name are not.
    assert (
        subprocess.run(
            ["git", "-C", str(tmp_path), "check-ignore", "-q", "--no-index", "profiles/torch.yaml"]
        ).returncode
        == 1
    )
