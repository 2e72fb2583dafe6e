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
