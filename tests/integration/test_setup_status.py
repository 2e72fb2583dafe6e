"""Setup's status word says what happened: created, up-to-date, smoke-only (a real torch env and the IMDB subset)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.integration.test_setup_torch import wheelhouse  # noqa: F401 (a fixture)


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.usefixtures("wheelhouse")
def test_a_rerun_that_only_runs_the_smoke_test_says_smoke_only(
    cli: Callable[..., CliResult], imdb_mini: Path, tmp_path: Path
) -> None:
    """Failed before the fix: after a --skip-smoke build, a plain re-run printed "is up to date ... nothing to do"
    and then trained the smoke model, with JSON "status": "up-to-date"."""
    quick = tmp_path / "quick.yaml"
    quick.write_text("name: quick\nextends: torch\nsmoke:\n  framework: torch\n  min_accuracy: 0.6\n  epochs: 1\n")
    env = tmp_path / "env"
    built = cli("setup", str(quick), "--env", str(env), "--skip-smoke", "--json")
    assert json.loads(built.out)["status"] == "created", built.err
    plain = cli("setup", str(quick), "--env", str(env), "--data", str(imdb_mini))
    assert plain.code == 0, plain.err
    assert "nothing to do" not in plain.out and "ran only its smoke test" in plain.out
    again = json.loads(cli("setup", str(quick), "--env", str(env), "--data", str(imdb_mini), "--json").out)
    assert again["status"] == "up-to-date" and again["smoke"] is None
