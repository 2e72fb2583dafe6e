"""Issue 19, GPU classes through the CLI: a stand-in `nvidia-smi` printing recorded real-format output (tests/data,
README there names each source) and exiting as the real one does. Setup's plan and doctor must tell one story.

Before the fix: rows printed before exit 14 (infoROM corrupted) were dropped (CPU build, or the newest build when
/proc showed the driver); one lost GPU of four (exit 15) made the host "driver installed but not working" with a
reinstall fix; a Tesla K80 on 470 (the last Kepler driver) was told to upgrade the driver."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.integration import test_gpu_hosts
from tests.integration.test_fake_hosts import script
from tests.integration.test_gpu_hosts import DATA, doctor, dry_run

smi = test_gpu_hosts.smi  # the stand-in nvidia-smi fixture, shared


@pytest.mark.parametrize(
    ("query", "gpu"), [("nvidia-smi-query-inforom-p100.csv", "sm_60"), ("nvidia-smi-query-inforom-p4000.csv", "sm_61")]
)
def test_rows_printed_before_exit_14_are_kept(
    cli: Callable[..., CliResult],
    smi: Callable[..., None],
    query: str,
    gpu: str,
) -> None:
    smi(fail=(query, 14))
    code, report = dry_run(cli)
    plan = report["plan"]
    assert code == 0 and isinstance(plan, dict), report
    assert plan["accelerator"]["value"] == "cuda" and plan["variant"]["value"] == "cu126"  # cu130 has no Pascal
    assert gpu in plan["variant"]["why"]
    found = doctor(cli)
    assert found["gpu.nvidia"]["status"] == "ok" and "Driver" not in found["gpu.nvidia"]["title"]
    assert found["gpu.nvidia-smi"]["status"] == "warn" and "infoROM" in found["gpu.nvidia-smi"]["evidence"]
    assert found["gpu.driver-cuda"]["status"] == "ok" and "cu126" in found["gpu.driver-cuda"]["title"]


@pytest.mark.parametrize(
    ("query", "bus", "variant", "kept"),
    [
        ("nvidia-smi-query-lost-a100.csv", "0000:02:00.0", "cu130", 3),
        ("nvidia-smi-query-lost-2080ti.csv", "0000:0B:00.0", "cu126", 3),
    ],
)
def test_one_lost_gpu_keeps_the_healthy_ones(
    cli: Callable[..., CliResult],
    smi: Callable[..., None],
    query: str,
    bus: str,
    variant: str,
    kept: int,
) -> None:
    smi(fail=(query, 15))
    code, report = dry_run(cli)
    plan = report["plan"]
    assert code == 0 and isinstance(plan, dict), report
    assert plan["variant"]["value"] == variant and len(plan["gpus"]["serves"]) == kept
    lost = next(w for w in plan["warnings"] if w.startswith("GPU LOST"))
    assert bus in lost and "reseat" in lost and "reinstall" in lost  # "no reinstall is needed"
    found = doctor(cli)
    assert found["gpu.lost"]["status"] == "warn" and bus in found["gpu.lost"]["evidence"]
    assert f"--gpu-reset -i {bus}" in found["gpu.lost"]["fix"]
    assert found["gpu.driver-cuda"]["status"] == "ok" and variant in found["gpu.driver-cuda"]["title"]


def _old_driver_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: str) -> None:
    """A 470 driver's nvidia-smi: `compute_cap` is not a field it knows (exit 2); without it, the rows."""
    bin_dir = tmp_path / "smi-old"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    for name in ("LLMENV_CUDA_DRIVER", "LLMENV_GPU_CC", "CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER"):
        monkeypatch.delenv(name, raising=False)
    body = (
        'case "$1" in\n'
        f"  *compute_cap*) cat '{DATA / 'nvidia-smi-query-compute-cap-rejected.txt'}'; exit 2 ;;\n"
        f"  --query-gpu=*) cat '{DATA / rows}' ;;\n"
        "  *) exit 2 ;;\n"
        "esac\n"
    )
    script(bin_dir, "nvidia-smi", "#!/bin/sh\n" + body)


@pytest.mark.parametrize(
    ("rows", "sm", "route"),
    [
        ("nvidia-smi-query-k80-470.csv", "sm_37", "torch==2.0.1"),
        ("nvidia-smi-query-k40m-470.csv", "sm_35", "CPU build"),
    ],
)
def test_kepler_on_470_is_not_told_to_upgrade_the_driver(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: str, sm: str, route: str
) -> None:
    _old_driver_smi(tmp_path, monkeypatch, rows)
    code, report = dry_run(cli)
    plan = report["plan"]
    assert code == 0 and isinstance(plan, dict), report
    assert plan["accelerator"]["value"] == "cpu"
    warning = next(w for w in plan["warnings"] if w.startswith("GPU NOT USED"))
    assert sm in warning and "Kepler" in warning and "R470 is the last driver branch" in warning
    assert route in warning and "upgrade the NVIDIA driver" not in warning
    found = doctor(cli)
    assert found["gpu.driver-cuda"]["status"] == "warn" and route in found["gpu.driver-cuda"]["fix"]
    assert "upgrade the NVIDIA driver" not in found["gpu.driver-cuda"]["fix"]
    strict = cli("setup", "torch", "--dry-run", "--offline", "--accelerator", "cuda")
    assert strict.code == 3 and "no driver upgrade helps" in strict.err
