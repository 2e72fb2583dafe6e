"""`llmenv smoke` without an environment: a usage error with the path it looked for, before any data or run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult


def test_smoke_with_no_env_is_exit_2_naming_the_path(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    """Failed before the fix: "the smoke test crashed (exit status None)" and a run called synthetic."""
    missing = tmp_path / "no-env"
    result = cli("smoke", "--env", str(missing), "--offline")
    assert result.code == 2
    assert f"no environment at {missing} (looked for {missing}/bin/python; from --env)" in result.err
    assert f"llmenv setup transformers --env {missing}" in result.err
    assert "crashed" not in result.err + result.out and "synthetic" not in (result.err + result.out).lower()
    assert not missing.exists()


def test_smoke_default_env_missing_names_the_profile_default(cli: Callable[..., CliResult], isolation: Path) -> None:
    result = cli("smoke", "--profile", "torch", "--offline", "--json")
    assert result.code == 2
    assert f"no environment at {isolation / '.venv'}" in result.err and "from the profile's default env" in result.err
    assert "llmenv setup torch --env" in result.err


def test_smoke_uses_the_mirror_set_the_env_was_built_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The env's stamp recorded `--mirror campus`: a later `llmenv smoke --env` (no --mirror) takes HF_ENDPOINT
    and the IMDB URL from campus; a --mirror given again wins."""
    from llmenv.workflow.smoke import SmokeOptions, _hub_env

    (tmp_path / "mirrors.yaml").write_text(
        'campus:\n  huggingface: "http://hub.campus/"\n  imdb: "http://data.campus/aclImdb_v1.tar.gz"\n'
    )
    monkeypatch.setenv("LLMENV_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("LLMENV_MIRROR", raising=False)
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    env, imdb = _hub_env(SmokeOptions(offline=True), None, remembered="campus")
    assert env["HF_ENDPOINT"] == "http://hub.campus" and imdb == "http://data.campus/aclImdb_v1.tar.gz"
    env, imdb = _hub_env(SmokeOptions(offline=True, mirror="upstream"), None, remembered="campus")
    assert "HF_ENDPOINT" not in env and imdb is None
