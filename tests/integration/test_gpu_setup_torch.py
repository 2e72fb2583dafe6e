"""Issue 9 item 1 end to end: the env checks read the plan's decision, so the CPU fallback setup chose for an old
driver is not then failed by `env.gpu.torch` (it exited 1: "CPU build of PyTorch on a host with an NVIDIA GPU").

The GPU is the LLMENV_CUDA_DRIVER/LLMENV_GPU_CC stand-in (no GPU here); torch is the real CPU build from a local
wheelhouse."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def test_cpu_fallback_for_an_old_driver_passes_its_own_checks(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    links = os.environ.get("LLMENV_TEST_WHEELHOUSE") or os.environ.get("PIP_FIND_LINKS", "").split(" ")[0]
    if not links or not list(Path(links).glob("torch-2.13.0+cpu-*.whl")):
        pytest.skip("no local torch-2.13.0+cpu wheel (set LLMENV_TEST_WHEELHOUSE)")
    monkeypatch.setenv("PIP_FIND_LINKS", links)
    monkeypatch.setenv("LLMENV_CUDA_DRIVER", "470.256.02")
    monkeypatch.setenv("LLMENV_GPU_CC", "7.5")
    env = tmp_path / "env"
    result = cli("setup", "torch", "--env", str(env), "--skip-smoke", "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["plan"]["variant"]["value"] == "cpu"
    assert any(w.startswith("GPU NOT USED") for w in report["plan"]["warnings"])
    gpu = next(f for f in report["findings"] if f["id"] == "env.gpu.torch")
    assert gpu["status"] == "warn" and "the plan chose the CPU build" in gpu["title"]
    assert "525.60.13" in gpu["fix"]  # the driver that would let the GPU be used, not `--accelerator cuda --force`
    doctor = cli("doctor", "--profile", "torch", "--env", str(env), "--offline", "--json")
    assert doctor.code == 0, doctor.out
    by_id = {f["id"]: f for f in json.loads(doctor.out)["findings"]}
    assert by_id["env.gpu.torch"]["status"] == "warn" and by_id["gpu.driver-cuda"]["status"] == "warn"
