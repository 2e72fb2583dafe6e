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
    """Failed before: the error had no Fix line. (A path with no store is refused before locking since the drift
    work: the lock would create the store for a typo.)"""
    env = tmp_path / "my env"
    none = cli("rollback", "--env", str(env))
    assert none.code == 2 and f"build one: llmenv setup --env '{env}'" in none.err  # the whole command, quoted
    spec = profile(tmp_path, "alpha==1.0")
    assert cli("setup", str(spec), "--env", str(env), "--skip-smoke").code == 0
    one = cli("rollback", "--env", str(env))
    assert one.code == 2
    assert f"llmenv setup {spec} --env '{env}' --force" in one.err


def test_second_rollback_names_the_generations_and_how_to_go_forward(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    """Failed before: after gen-2 -> gen-1, a second rollback said "only one generation exists" though gen-2 was
    still on disk, and offered a rebuild instead of the way back."""
    import os

    env = tmp_path / "env"
    assert cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(env), "--skip-smoke").code == 0
    assert cli("setup", str(profile(tmp_path, "alpha==2.0")), "--env", str(env), "--skip-smoke").code == 0
    assert os.readlink(env).endswith("gen-2")
    first = cli("rollback", "--env", str(env))
    assert first.code == 0 and os.readlink(env).endswith("gen-1")
    second = cli("rollback", "--env", str(env))
    assert second.code == 2
    assert "only one generation exists" not in second.err
    assert "generations kept: 1 (current), 2" in second.err, second.err
    assert f"Fix: llmenv rollback --env {env} --to 2" in second.err, second.err
    forward = cli("rollback", "--env", str(env), "--to", "2")
    assert forward.code == 0 and os.readlink(env).endswith("gen-2")
    missing = cli("rollback", "--env", str(env), "--to", "7")
    assert missing.code == 2 and "generations kept: 1, 2 (current)" in missing.err
    assert os.readlink(env).endswith("gen-2")


def test_rollback_fix_names_a_builtin_profile_by_name(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    """Failed before: the fix read `llmenv setup /…/site-packages/llmenv/builtin_profiles/torch.yaml --env …`. The
    stamp is rewritten to what `llmenv setup torch` records (building torch here would take minutes)."""
    import json

    from llmenv.execute.store import STAMP
    from llmenv.profiles.locate import builtin_dir

    env = tmp_path / "env"
    assert cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(env), "--skip-smoke").code == 0
    stamp_path = env.resolve() / STAMP
    stamp = json.loads(stamp_path.read_text())
    stamp.update(profile="torch", profile_source=str(builtin_dir() / "torch.yaml"))
    stamp_path.write_text(json.dumps(stamp))
    one = cli("rollback", "--env", str(env))
    assert one.code == 2
    assert f"llmenv setup torch --env {env} --force" in one.err, one.err
    assert "builtin_profiles" not in one.err and str(builtin_dir()) not in one.err
