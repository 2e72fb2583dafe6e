"""`--model tutorial` is the Keras tutorial's own run: asked of another framework, a clear usage error (exit 2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import CliResult


def test_tutorial_model_is_keras_only(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    result = cli("smoke", "--env", str(tmp_path / "env"), "--framework", "torch", "--model", "tutorial")
    assert result.code == 2 and "--model tutorial is the Keras tutorial's own model" in result.err
    flat = " ".join(result.err.split())
    assert f"llmenv smoke --env {tmp_path / 'env'} --framework keras --model tutorial" in flat
    assert "Traceback" not in result.err
