"""The profile-switch line and question (workflow/switch.py): asked on a terminal, said everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmenv.errors import ExitCode, UsageError
from llmenv.workflow.switch import announce_switch, rollback_command, switched_from


def test_only_another_profile_is_a_switch() -> None:
    assert switched_from({"profile": "transformers"}, "torch") == "transformers"
    assert switched_from({"profile": "torch"}, "torch") is None
    assert switched_from(None, "torch") is None and switched_from({"profile": 3}, "torch") is None


def test_the_default_env_gets_the_bare_rollback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert rollback_command(".venv") == "llmenv rollback"
    assert rollback_command(tmp_path / ".venv") == "llmenv rollback"
    assert rollback_command("my env") == "llmenv rollback --env 'my env'"


def test_non_interactive_says_the_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    lines: list[str] = []
    announce_switch(".venv", "transformers", "torch", lines.append, None)
    assert lines == ["switching .venv from transformers to torch; `llmenv rollback` brings transformers back"]


def test_a_terminal_asks_first_and_a_no_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    asked: list[str] = []
    lines: list[str] = []

    def no(question: str) -> bool:
        asked.append(question)
        return False

    with pytest.raises(UsageError) as caught:
        announce_switch(".venv", "transformers", "torch", lines.append, no)
    assert asked == ["Switch .venv from transformers to torch? (`llmenv rollback` brings transformers back)"]
    assert not lines and caught.value.exit_code == ExitCode.USAGE
    assert "nothing was changed" in caught.value.what and "--env .venv-torch" in (caught.value.fix or "")
    announce_switch(".venv", "transformers", "torch", lines.append, lambda q: True)
    assert len(lines) == 1
