"""`llmenv bundle --mirror` takes what setup takes (tests/integration/test_mirror_named.py runs it for real)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import CliResult


def test_unknown_set_is_a_usage_error(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    result = cli("bundle", "torch", "--mirror", "tunna", "-o", str(tmp_path / "b.tar"))
    assert result.code == 2
    assert "unknown mirror set 'tunna'" in result.err and "did you mean 'tuna'" in result.err
    assert not (tmp_path / "b.tar").exists()
