"""Compute capability by product name (drivers before 510 print none) and the retired architectures."""

from __future__ import annotations

import pytest

from llmenv.probe.gpu_nvidia import parse_smi_lost
from llmenv.tables.gpus import LAST_TORCH_FOR_CC, cc_from_name, retired


@pytest.mark.parametrize(
    ("name", "cc"),
    [
        ("Tesla K80", "3.7"),
        ("Tesla K40m", "3.5"),
        ("Tesla P40", "6.1"),
        ("Tesla P4", "6.1"),
        ("Tesla P100-PCIE-16GB", "6.0"),
        ("NVIDIA A100-SXM4-40GB", "8.0"),
        ("NVIDIA RTX A1000", None),  # Ampere sm_86: "A100" must not match it
        ("NVIDIA Graphics Device", None),
    ],
)
def test_cc_from_name(name: str, cc: str | None) -> None:
    assert cc_from_name(name) == cc


def test_kepler_is_retired_and_only_sm_37_has_an_older_torch() -> None:
    assert retired("3.7") == ("Kepler", "R470", "11.x") and retired("3.5") is not None and retired("5.0") is None
    assert set(LAST_TORCH_FOR_CC) == {"3.7"}


def test_lost_gpu_lines() -> None:
    text = (
        "0, NVIDIA A100-SXM4-40GB, 580.65.06, 40960, 8.0, GPU-x\n"
        "Unable to determine the device handle for GPU 0000:02:00.0: GPU is lost.  Reboot the system to recover this GPU\n"
        "Unable to determine the device handle for GPU0000:07:00.0: Unknown Error\n"
    )
    assert parse_smi_lost(text) == (
        "0000:02:00.0: GPU is lost. Reboot the system to recover this GPU",
        "0000:07:00.0: Unknown Error",
    )


@pytest.mark.parametrize(
    ("variant", "gfx", "carried"),
    [
        ("rocm7.2", "gfx90a:sramecc+:xnack-", True),
        ("rocm7.2", "gfx1151", True),
        ("rocm6.4", "gfx1151", False),  # Strix Halo came with the ROCm 7 builds
        ("rocm7.2", "gfx1032", False),
        ("rocm7.2", "gfx803", False),
        ("rocm5.7", "gfx1032", None),  # a build llmenv has no list for: not checked
    ],
)
def test_rocm_targets(variant: str, gfx: str, carried: bool | None) -> None:
    from llmenv.tables.rocm import carries

    assert carries(variant, gfx) is carried
