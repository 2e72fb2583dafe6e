"""What setup says when it cannot keep what is not there, and when it replaces what is: a failed first run says
nothing was created (and leaves nothing), generation numbers count only committed generations, and switching an
env to another profile is said with the way back."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from llmenv.execute.store import STAMP
from tests.conftest import CliResult
from tests.integration.test_setup import index, profile, version_in, wheels  # noqa: F401  (index, wheels: fixtures)


@pytest.mark.usefixtures("index")
def test_failed_first_run_says_nothing_was_created_and_numbers_stay_unused(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """Failed before the fix: "the previous environment is unchanged" (there was none), the store stayed behind,
    and after two failures the first success was gen-3."""
    env = tmp_path / "env"
    for _ in range(2):
        failed = cli("setup", str(profile(tmp_path, "alpha==9.9")), "--env", str(env), "--skip-smoke")
        assert failed.code == 4
        assert f"nothing was created at {env} (there was no environment there before)" in failed.err
        assert "previous environment" not in failed.err and "unchanged" not in failed.err
        assert not env.exists() and not env.is_symlink() and not (tmp_path / "env.llmenv").exists()
    ok = cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(env), "--skip-smoke")
    assert ok.code == 0, ok.err
    assert os.readlink(env).endswith("gen-1")
    # An update that fails keeps the env, says so, and does not use up gen-2 either.
    update = cli("setup", str(profile(tmp_path, "alpha==9.9")), "--env", str(env), "--skip-smoke")
    assert update.code == 4 and "the previous environment is unchanged" in update.err
    assert os.readlink(env).endswith("gen-1") and version_in(env) == "1.0"
    again = cli("setup", str(profile(tmp_path, "alpha==2.0")), "--env", str(env), "--skip-smoke")
    assert again.code == 0 and os.readlink(env).endswith("gen-2")


@pytest.mark.usefixtures("index")
def test_switching_profiles_is_said_with_the_way_back(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    """Failed before the fix: "updating: profile two changed", and nothing about the old env being kept."""
    env = tmp_path / "env"
    one = profile(tmp_path, "alpha==1.0", name="one")
    two = profile(tmp_path, "alpha==2.0", "beta==1.0", name="two")
    assert cli("setup", str(one), "--env", str(env), "--skip-smoke").code == 0
    switched = cli("setup", str(two), "--env", str(env), "--skip-smoke")
    assert switched.code == 0, switched.err
    said = switched.out + switched.err
    assert f"switching {env} from one to two; `llmenv rollback --env {env}` brings one back" in said
    assert "profile two changed" not in said
    assert json.loads((env / STAMP).read_text())["profile"] == "two"
    # The way back works as said.
    assert cli("rollback", "--env", str(env)).code == 0
    assert json.loads((env / STAMP).read_text())["profile"] == "one" and version_in(env) == "1.0"
    # The same profile again is an ordinary update, not a switch.
    same = cli("setup", str(profile(tmp_path, "alpha==2.0", name="one")), "--env", str(env), "--skip-smoke")
    assert same.code == 0 and "switching " + str(env) not in same.out + same.err


@pytest.mark.usefixtures("index")
def test_a_no_on_the_terminal_changes_nothing(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    """On an interactive terminal setup asks before switching (the CLI passes its question asker as `confirm`);
    a no is exit 2 and the env stays on its profile and generation."""
    from llmenv.errors import UsageError
    from llmenv.workflow.common import SetupOptions
    from llmenv.workflow.setup import setup

    env = tmp_path / "env"
    assert cli("setup", str(profile(tmp_path, "alpha==1.0", name="one")), "--env", str(env), "--skip-smoke").code == 0
    target = os.readlink(env)
    questions: list[str] = []

    def no(question: str) -> bool:
        questions.append(question)
        return False

    two = profile(tmp_path, "alpha==2.0", name="two")
    with pytest.raises(UsageError, match="was declined; nothing was changed"):
        setup(SetupOptions(profile=str(two), env=env, confirm=no), lambda line: lambda detail: None)
    assert questions == [f"Switch {env} from one to two? (`llmenv rollback --env {env}` brings one back)"]
    assert os.readlink(env) == target and version_in(env) == "1.0"
