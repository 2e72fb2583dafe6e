"""ROCm GPUs whose gfx target the PyTorch ROCm wheels do not carry (tables/rocm.py): a stand-in `rocminfo` on PATH
printing recorded real-format output (tests/data/README.md) and an /opt/rocm stand-in with its version file.

Before the fix: an RX 6600 (gfx1032) was planned rocm7.2 and doctor said the build "serves RX 6600"; it fails at
run time with "HIP error: invalid device function"."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliResult
from tests.integration.test_fake_hosts import script
from tests.integration.test_gpu_hosts import DATA, doctor, dry_run


@pytest.fixture
def rocminfo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    def install(recorded: str) -> None:
        bin_dir = tmp_path / "rocm-bin"
        script(bin_dir, "rocminfo", f"#!/bin/sh\ncat '{DATA / recorded}'\n")
        root = tmp_path / "opt-rocm"
        (root / ".info").mkdir(parents=True, exist_ok=True)
        (root / ".info" / "version").write_text("7.2.0-43\n")
        monkeypatch.setenv("ROCM_PATH", str(root))
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        for name in ("LLMENV_CUDA_DRIVER", "LLMENV_GPU_CC", "HSA_OVERRIDE_GFX_VERSION"):
            monkeypatch.delenv(name, raising=False)

    return install


def planned(cli: Callable[..., CliResult], rocminfo: Callable[[str], None], recorded: str) -> dict[str, Any]:
    rocminfo(recorded)
    code, report = dry_run(cli)
    plan = report["plan"]
    assert code == 0 and isinstance(plan, dict), report
    return plan


@pytest.mark.parametrize(
    ("recorded", "gfx"), [("rocminfo-rx6600.txt", "gfx1032"), ("rocminfo-rx6700xt.txt", "gfx1031")]
)
def test_a_gfx_target_the_wheels_lack_falls_back_to_cpu(
    cli: Callable[..., CliResult], rocminfo: Callable[[str], None], recorded: str, gfx: str
) -> None:
    plan = planned(cli, rocminfo, recorded)
    assert plan["accelerator"]["value"] == "cpu"
    warning = next(w for w in plan["warnings"] if w.startswith("GPU NOT USED"))
    assert gfx in warning and "rocm7.2" in warning and "gfx1030" in warning
    assert "HSA_OVERRIDE_GFX_VERSION" in warning and "not supported" in warning
    found = doctor(cli)
    assert found["gpu.driver-cuda"]["status"] == "warn" and "CPU build" in found["gpu.driver-cuda"]["title"]
    assert "HSA_OVERRIDE_GFX_VERSION" in (found["gpu.driver-cuda"]["fix"] or "")
    strict = cli("setup", "torch", "--dry-run", "--offline", "--accelerator", "rocm")
    assert strict.code == 3 and gfx in strict.err


@pytest.mark.parametrize(("recorded", "gfx"), [("rocminfo-rx7900xtx.txt", "gfx1100"), ("rocminfo-mi210.txt", "gfx90a")])
def test_a_carried_target_gets_the_rocm_build(
    cli: Callable[..., CliResult], rocminfo: Callable[[str], None], recorded: str, gfx: str
) -> None:
    plan = planned(cli, rocminfo, recorded)
    assert plan["accelerator"]["value"] == "rocm" and plan["variant"]["value"] == "rocm7.2"
    assert f"kernels for {gfx}" in plan["variant"]["why"]
    assert doctor(cli)["gpu.profile-match"]["status"] == "ok"
