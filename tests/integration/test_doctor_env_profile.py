"""`llmenv doctor --env ENV` without --profile judges the env against the profile it was built from (its stamp),
as `llmenv smoke` does: the `next: llmenv doctor --env ...` line setup prints must be literally right."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tests.conftest import CliResult
from tests.helpers.index_server import IndexServer
from tests.integration.test_setup import index, profile, wheels

__all__ = ["index", "wheels"]  # fixtures used by name


def test_doctor_env_uses_the_stamp_profile_and_setup_next_line_is_literal(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    """Failed before: the header said "profile transformers (default; choose with --profile)" and the env failed
    the transformers import checks (rc 1) though it was built from another profile."""
    env = tmp_path / "env"
    built = cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(env), "--skip-smoke", "--shell", "bash")
    assert built.code == 0, built.err
    nexts = [line for line in built.out.splitlines() if line.startswith("next: ")]
    assert len(nexts) == 1, built.out
    command = re.split(r"\s{2,}", nexts[0].removeprefix("next: "))[0].split()
    assert command == ["llmenv", "doctor", "--env", str(env)]
    result = cli(*command[1:], "--offline")
    assert "profile tiny (from the env's stamp)" in result.out, result.out
    assert "transformers" not in result.out
    assert not [line for line in result.out.splitlines() if "No module named" in line], result.out
    env_fails = [line for line in result.out.splitlines() if line.startswith("FAIL") and "env" in line]
    assert not env_fails, result.out


def test_doctor_profile_option_still_wins_over_the_stamp(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    env = tmp_path / "env"
    assert cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(env), "--skip-smoke").code == 0
    other = profile(tmp_path, "alpha==1.0", "beta==1.0", name="other")
    result = cli("doctor", "--env", str(env), "--profile", str(other), "--offline")
    assert "profile other," in result.out and "from the env's stamp" not in result.out
    assert "No module named 'beta'" in result.out


def test_a_store_others_can_write_is_refused_before_its_stamp_is_read(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    """The stamp names the profile doctor loads (a path): from a store others can write it is not trusted."""
    from llmenv.errors import ExitCode

    env = tmp_path / "env"
    assert cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(env), "--skip-smoke").code == 0
    (tmp_path / "env.llmenv").chmod(0o777)
    result = cli("doctor", "--env", str(env), "--offline")
    assert result.code == ExitCode.UNSAFE_STORE and "refusing to use the environment store" in result.err
