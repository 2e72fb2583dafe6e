"""The driver <-> CUDA table (NVIDIA CUDA Toolkit Release Notes, Table 3 and the minor-version-compatibility Table 2;
/work/shared/reference/ecosystem.md section 4.1 carries the same rows): one CUDA number per driver, and every
upgrade text names each driver with that number."""

from __future__ import annotations

import re

import pytest

from llmenv.tables.cuda import (
    TOOLKIT_DRIVERS,
    compat_note,
    family_min_driver,
    max_cuda_for_driver,
    native_driver_for,
    upgrade_fix,
    version_tuple,
)
from llmenv.tables.torch import TORCH, cuda_of

PAIR = re.compile(r"(\d{3}\.\d+(?:\.\d+)?) \(CUDA (\d+\.\d+)\)")


@pytest.mark.parametrize(("toolkit", "linux", "windows"), TOOLKIT_DRIVERS)
def test_each_toolkits_own_driver_reports_that_toolkits_cuda(toolkit: str, linux: str, windows: str | None) -> None:
    assert max_cuda_for_driver(linux) == toolkit
    assert native_driver_for(toolkit) == linux
    if windows is not None:
        assert max_cuda_for_driver(windows, "Windows") == toolkit


@pytest.mark.parametrize(
    ("driver", "cuda"),
    [
        ("550.54.14", "12.4"),
        ("550.54.15", "12.4"),
        ("560.35.03", "12.6"),
        ("525.60.13", "12.0"),
        ("470.256.02", "11.4"),
    ],
)
def test_known_drivers(driver: str, cuda: str) -> None:
    assert max_cuda_for_driver(driver) == cuda


@pytest.mark.parametrize(
    "cuda", sorted({cuda_of(v) for t in TORCH.values() for v in (*t.cuda, *t.experimental)}, key=str)
)
@pytest.mark.parametrize("os_name", ["Linux", "Windows"])
def test_upgrade_texts_name_each_driver_with_its_own_cuda(cuda: str, os_name: str) -> None:
    """QA item 2: '>= 525.60.13 (CUDA 12.6)' named the CUDA 12.0 driver with the build's CUDA."""
    text = upgrade_fix(cuda, os_name)
    pairs = PAIR.findall(text)
    assert pairs, text
    for driver, said in pairs:
        assert max_cuda_for_driver(driver, os_name) == said, text
    native = native_driver_for(cuda, os_name)
    if native is not None:
        own = max_cuda_for_driver(native, os_name)
        assert own is not None and version_tuple(own) >= version_tuple(cuda), (native, own)
    assert os_name == "Windows" or native is not None  # Table 3 names no Windows driver from CUDA 13.0 on


def test_windows_fixes_name_windows_drivers() -> None:
    """Table 3 has no Windows driver for CUDA 13.x: the fix names the Windows 13.x minimum, not a Linux number."""
    assert upgrade_fix("13.0", "Windows") == "upgrade the NVIDIA driver to >= 580.88 (CUDA 13.0)"
    assert "580.65.06" not in upgrade_fix("13.2", "Windows")


def test_minor_version_note_is_empty_when_the_driver_is_new_enough() -> None:
    assert compat_note("560.35.03", "12.6", "12.6") == ""
    note = compat_note("535.154.05", "12.2", "12.6")
    assert "own CUDA is 12.2" in note and f">= {family_min_driver('12.6')}" in note and "560.28.03" in note
