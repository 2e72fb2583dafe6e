"""Careless --env values: an empty one, and a newline inside one (a pasted path)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.conftest import assert_clean, llmenv

PROFILE = "name: p\npython: '>=3.10'\naccelerator: cpu\npackages: ['alpha==1.0']\n"


@pytest.mark.parametrize("form", ["separate", "equals"])
@pytest.mark.parametrize("command", ["setup", "doctor", "smoke", "rollback"])
def test_empty_env_is_a_usage_error(tmp_path: Path, command: str, form: str) -> None:
    """Failed before: '' was read as the working folder ("... already exists and was not created by llmenv"),
    and doctor judged the working folder as an env."""
    args = ["--env", ""] if form == "separate" else ["--env="]
    extra = ["--offline"] if command in ("doctor", "setup", "smoke") else []
    before = sorted(p.name for p in tmp_path.iterdir())
    result = llmenv(command, *args, *extra, cwd=tmp_path)
    assert_clean(result, 2, mentions=("--env",))
    assert "empty" in result.err and "already exists" not in result.err, result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_newline_in_env_is_escaped_in_the_plan(tmp_path: Path) -> None:
    """Failed before: the path was printed raw, so the plan's first line broke in two."""
    spec = tmp_path / "p.yaml"
    spec.write_text(PROFILE)
    result = llmenv("setup", str(spec), "--dry-run", "--offline", "--env", str(tmp_path / "a\nb"), cwd=tmp_path)
    assert result.code == 0, result.err
    first = result.out.splitlines()[0]
    assert first.startswith("Plan for profile p -> ") and first.endswith("a\\x0ab"), result.out
    assert not (tmp_path / "a\nb").exists()
