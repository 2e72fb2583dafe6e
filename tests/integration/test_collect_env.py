"""doctor's facts agree with PyTorch's own `python -m torch.utils.collect_env` about the same environment."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

pytestmark = pytest.mark.slow


def collect_env(env: Path) -> dict[str, str]:
    text = subprocess.run(
        [str(env / "bin" / "python"), "-m", "torch.utils.collect_env"], capture_output=True, text=True, check=True
    ).stdout
    return {k.strip(): v.strip() for k, v in re.findall(r"^([A-Za-z][^:\n]*):(.*)$", text, re.MULTILINE)}


def test_doctor_agrees_with_collect_env(cli: Callable[..., CliResult], torch_env: Path) -> None:
    theirs = collect_env(torch_env)
    result = cli("doctor", "--json", "--offline", "--profile", "torch", "--env", str(torch_env))
    report = json.loads(result.out)
    ours = {f["id"]: f for f in report["findings"]}
    system = report["facts"]["system"]["value"]
    # OS: collect_env prints e.g. "Debian GNU/Linux 12 (bookworm) (x86_64)".
    assert theirs["OS"] == f"{system['distro']} ({system['machine']})"
    # Python: "3.11.7 (main, ...) [GCC 12.2.0] (64-bit runtime)".
    python_version = theirs["Python version"].split()[0]
    assert ours["env.python"]["title"] == f"Python {python_version} (64-bit)"
    assert "(64-bit runtime)" in theirs["Python version"]
    # torch version.
    assert ours["env.import.torch"]["title"] == f"import torch {theirs['PyTorch version']}"
    # CUDA availability: collect_env's "Is CUDA available" against doctor's GPU check of the env.
    gpu = ours["env.gpu.torch"]
    cuda_available = theirs["Is CUDA available"] == "True"
    assert (gpu["title"] == "PyTorch runs on the GPU") == cuda_available
    if not cuda_available:
        assert gpu["status"] == "skip" and theirs["PyTorch version"] in gpu["evidence"]
    assert ours["env.versions"]["status"] == "ok"
    assert result.code == 0
