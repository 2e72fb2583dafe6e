"""`llmenv lock` in a clone of llmenv itself writes nowhere in the clone's tracked profiles/ (its profiles are the
built-ins' source: locks go to ./llmenv-locks/), and a lock made after the env was built that pins what the env has
does not make the next `setup` rebuild."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from llmenv.plan.lockfiles import LOCK_DIR, lock_dirs
from llmenv.profiles.load import load_profile
from llmenv.profiles.locate import builtin_dir, own_checkout
from tests.conftest import CliResult
from tests.integration.test_setup import index, profile, wheels  # noqa: F401  (index, wheels: fixtures)


def fake_clone(root: Path) -> Path:
    """The parts of a clone of llmenv that say what it is: pyproject.toml, src/llmenv/, profiles/."""
    (root / "src" / "llmenv").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "llmenv"\nversion = "0.1.0"\n')
    (root / "profiles").mkdir()
    (root / "profiles" / "torch.yaml").write_bytes((builtin_dir() / "torch.yaml").read_bytes())
    return root


def test_the_clones_profiles_are_builtins_and_lock_elsewhere(tmp_path: Path) -> None:
    """Failed before the fix: the clone's profiles/torch.yaml was a "project" profile, its locks went beside it."""
    clone = fake_clone(tmp_path / "llmenv")
    assert own_checkout(clone)
    torch = load_profile("torch", cwd=clone)
    assert torch.origin == "builtin"
    assert lock_dirs(torch, clone) == [clone / LOCK_DIR]
    # Any other project keeps its profiles/ as project profiles, locked beside them.
    other = tmp_path / "project"
    (other / "profiles").mkdir(parents=True)
    (other / "pyproject.toml").write_text('[project]\nname = "my-llm-app"\n')
    (other / "profiles" / "torch.yaml").write_bytes((builtin_dir() / "torch.yaml").read_bytes())
    mine = load_profile("torch", cwd=other)
    assert mine.origin == "project" and not own_checkout(other)
    assert lock_dirs(mine, other)[0] == other / "profiles"


@pytest.mark.usefixtures("index")
def test_a_lock_of_what_is_installed_does_not_rebuild(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    """Failed before the fix: "updating: the plan changed (indexes, lock file or pins)" and a new generation."""
    spec = profile(tmp_path, "alpha==1.0", "beta==1.0")
    env = tmp_path / "env"
    assert cli("setup", str(spec), "--env", str(env), "--skip-smoke").code == 0
    locked = cli("lock", str(spec))
    assert locked.code == 0, locked.err
    again = cli("setup", str(spec), "--env", str(env), "--skip-smoke", "--json")
    assert again.code == 0, again.err
    assert json.loads(again.out)["status"] == "up-to-date"
    # A lock that pins something else is installed, with hash checking, as before.
    lock_file = Path(locked.out.split("wrote ")[1].strip())
    lock_file.write_text(lock_file.read_text().replace("beta==1.0", "beta==2.0"))
    changed = cli("setup", str(spec), "--env", str(env), "--skip-smoke")
    assert changed.code == 4 and "beta" in changed.err  # beta 2.0 is not on the index: tried, refused
