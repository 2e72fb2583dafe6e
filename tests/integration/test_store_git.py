"""The store beside an env ignores itself for git; rollback with nothing to go back to says how to fix it."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.conftest import CliResult
from tests.helpers.index_server import IndexServer
from tests.integration.test_setup import index, profile, wheels

__all__ = ["index", "wheels"]  # fixtures used by name


def test_git_status_shows_only_the_link(cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path) -> None:
    """Failed before: `git status` listed every file of <env>.llmenv/ as untracked."""
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    spec = profile(tmp_path, "alpha==1.0")
    assert cli("setup", str(spec), "--env", str(repo / ".venv"), "--skip-smoke").code == 0
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert status == ["?? .venv"]
    # What the README tells users to write: `.venv` (no slash) matches the link; `.venv/` would not.
    (repo / ".gitignore").write_text(".venv\n")
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert status == ["?? .gitignore"]


def test_rollback_with_nothing_to_roll_back_to_has_a_fix(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    """Failed before: the error had no Fix line."""
    env = tmp_path / "my env"
    none = cli("rollback", "--env", str(env))
    assert (
        none.code == 2
        and f"Fix: there is no environment at {env} yet; build one: llmenv setup --env '{env}'" in none.err
    )
    spec = profile(tmp_path, "alpha==1.0")
    assert cli("setup", str(spec), "--env", str(env), "--skip-smoke").code == 0
    one = cli("rollback", "--env", str(env))
    assert one.code == 2
    assert f"llmenv setup {spec} --env '{env}' --force" in one.err
