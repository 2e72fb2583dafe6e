"""End to end: `llmenv setup torch --skip-smoke` installs the real CPU build of torch 2.13.0, with both backends."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture
def wheelhouse(monkeypatch: pytest.MonkeyPatch) -> str:
    links = os.environ.get("LLMENV_TEST_WHEELHOUSE") or os.environ.get("PIP_FIND_LINKS", "").split(" ")[0]
    if not links or not list(Path(links).glob("torch-2.13.0+cpu-*.whl")):
        pytest.skip("no local torch-2.13.0+cpu wheel (set LLMENV_TEST_WHEELHOUSE)")
    monkeypatch.setenv("PIP_FIND_LINKS", links)
    return links


@pytest.mark.parametrize("backend", ["uv", "pip"])
def test_setup_torch_end_to_end(cli: Callable[..., CliResult], wheelhouse: str, tmp_path: Path, backend: str) -> None:
    env = tmp_path / "torch-env"
    result = cli("setup", "torch", "--env", str(env), "--skip-smoke", "--backend", backend, "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["plan"]["requirements"][0] == "torch==2.13.0+cpu"
    findings = {f["id"]: f for f in report["findings"]}
    assert findings["env.import.torch"]["status"] == "ok"
    assert findings["env.import.torch"]["title"] == "import torch 2.13.0+cpu"
    version = subprocess.run(
        [str(env / "bin" / "python"), "-c", "import torch; print(torch.__version__, torch.version.cuda)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert version == ["2.13.0+cpu", "None"]  # the CPU build, never PyPI's CUDA one
    again = cli("setup", "torch", "--env", str(env), "--skip-smoke", "--backend", backend)
    assert again.code == 0 and "is up to date" in again.out


def test_setup_runs_the_smoke_test_and_remembers_a_pass(
    cli: Callable[..., CliResult], wheelhouse: str, imdb_mini: Path, tmp_path: Path
) -> None:
    quick = tmp_path / "quick.yaml"
    quick.write_text("name: quick\nextends: torch\nsmoke:\n  framework: torch\n  min_accuracy: 0.6\n  epochs: 1\n")
    env = tmp_path / "env"
    result = cli("setup", str(quick), "--env", str(env), "--data", str(imdb_mini), "--json")
    assert result.code == 0, result.err
    smoke = json.loads(result.out)["smoke"]
    assert smoke["passed"] and smoke["accuracy"] >= 0.6 and smoke["dataset"]["test"] == 2000
    again = cli("setup", str(quick), "--env", str(env), "--data", str(imdb_mini), "--json")
    assert json.loads(again.out)["status"] == "up-to-date" and json.loads(again.out)["smoke"] is None


def test_setup_fails_with_1_when_the_model_learns_too_little(
    cli: Callable[..., CliResult], wheelhouse: str, imdb_mini: Path, tmp_path: Path
) -> None:
    strict = tmp_path / "strict.yaml"
    strict.write_text("name: strict\nextends: torch\nsmoke:\n  framework: torch\n  min_accuracy: 0.99\n  epochs: 1\n")
    env = tmp_path / "env"
    result = cli("setup", str(strict), "--env", str(env), "--data", str(imdb_mini))
    assert result.code == 1
    assert "IMDB smoke test (torch) failed" in result.out and "below" not in result.err
    assert "fix: the stack trained but learned too little" in result.out
    assert env.is_symlink()  # the install itself passed its checks and is kept; the smoke verdict is reported
