"""`llmenv bundle --mirror` takes a mirror-set name (its pypi role) as well as an index URL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult


def test_unknown_set_is_a_usage_error(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    result = cli("bundle", "torch", "--mirror", "tunna", "-o", str(tmp_path / "b.tar"))
    assert result.code == 2
    assert "unknown mirror set 'tunna'" in result.err and "did you mean 'tuna'" in result.err
    assert not (tmp_path / "b.tar").exists()


def test_set_without_a_pypi_role_is_refused(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "mirrors.yaml").write_text("hubonly:\n  huggingface: https://hub.example.invalid\n")
    monkeypatch.setenv("LLMENV_CONFIG_DIR", str(config))
    result = cli("bundle", "torch", "--mirror", "hubonly", "-o", str(tmp_path / "b.tar"))
    assert result.code == 2
    assert "names no pypi mirror" in result.err and "Fix:" in result.err
