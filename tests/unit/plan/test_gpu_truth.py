"""Issue 19, GPU classes from probed facts: a driver seen only in /proc (unknown architecture) and WSL's Windows
driver. Stand-ins: recorded /proc/driver/nvidia/version files (tests/data) read by the real probe, and facts in the
shapes the probe returns. Setup's decision and doctor's findings come from the same `resolve`."""

from __future__ import annotations

import platform
from pathlib import Path

import pytest

from llmenv.errors import HostError
from llmenv.plan.accelerators import resolve
from llmenv.plan.accelerators.cuda import ARCH_UNKNOWN
from llmenv.probe import gpu_nvidia
from llmenv.probe.facts import Probed
from llmenv.probe.gpu_nvidia import NvidiaGpu, NvidiaInfo, probe_nvidia
from llmenv.profiles.load import load_profile
from llmenv.tables.cuda import max_cuda_for_driver
from llmenv.verify.host import verify_host
from llmenv.verify.model import Finding
from tests.helpers.facts import host, system
from tests.helpers.host_context import host_context

DATA = Path(__file__).resolve().parents[2] / "data"


def findings(facts: object, accelerator: str = "auto") -> dict[str, Finding]:
    return {f.id: f for f in verify_host(facts, host_context(load_profile("torch"), facts, accelerator))}  # type: ignore[arg-type]


@pytest.fixture
def no_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A container without the `utility` capability: no nvidia-smi, no NVML; only /proc shows the driver."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(gpu_nvidia, "smi_candidates", lambda: [])
    monkeypatch.setattr(gpu_nvidia, "_nvml", lambda: None)


@pytest.mark.parametrize("proc", ["proc-driver-nvidia-version-580.txt", "proc-driver-nvidia-version-590-open.txt"])
def test_driver_only_in_proc_gets_the_widest_build_and_a_warning(no_smi: None, proc: str) -> None:
    """Before: a Pascal card behind such a driver was planned cu130 (no sm_60/sm_61) and doctor said ok."""
    probed = probe_nvidia(DATA / proc)
    assert probed.value is not None and probed.value.gpus == ()
    facts = host(nvidia=probed)
    decision = resolve(load_profile("torch"), facts, "auto")
    assert decision.variant is not None and decision.variant.value == "cu126"
    assert "/proc/driver/nvidia/version" in decision.variant.why
    assert any(w.startswith(ARCH_UNKNOWN) for w in decision.warnings)
    assert ("cu130", "covers fewer GPU generations than cu126 (sm_75..sm_120 +PTX)") in decision.variant.rejected
    found = findings(facts)["gpu.driver-cuda"]
    assert found.status == "warn" and "architecture is unknown" in found.title
    assert "NVIDIA_DRIVER_CAPABILITIES" in (found.fix or "")


def test_a_gpu_without_compute_capability_is_unknown_too() -> None:
    info = NvidiaInfo("580.65.06", "13.0", "table", (NvidiaGpu(0, "NVIDIA Graphics Device", None, None),), None)
    decision = resolve(load_profile("torch"), host(nvidia=Probed(info, "recorded")), "auto")
    assert decision.variant is not None and decision.variant.value == "cu126"
    assert "printed no compute capability for NVIDIA Graphics Device" in decision.variant.why


def wsl(driver: str, *cards: tuple[str, str]) -> object:
    gpus = tuple(NvidiaGpu(i, name, 24576, cc) for i, (name, cc) in enumerate(cards))
    info = NvidiaInfo(driver, max_cuda_for_driver(driver, "Windows"), "table", gpus, None)
    return host(system=system(wsl=True, os_release="5.15.153.1-microsoft-standard-WSL2"), nvidia=Probed(info, "smi"))


@pytest.mark.parametrize("driver", ["528.24", "527.56"])
def test_wsl_is_judged_by_the_windows_driver_floor(driver: str) -> None:
    """Before: Windows 528.24 (below 528.33, CUDA 12.x's Windows floor) was called able to run cu126 by the Linux
    floor (525.60.13)."""
    facts = wsl(driver, ("NVIDIA GeForce RTX 3090", "8.6"))
    decision = resolve(load_profile("torch"), facts, "auto")
    assert decision.accelerator.value == "cpu"
    assert "528.33" in (decision.fix or "") and "on Windows" in (decision.fix or "")
    assert "install no Linux driver inside WSL" in (decision.fix or "")
    found = findings(facts)["gpu.driver-cuda"]
    assert found.status == "warn" and "528.33" in (found.fix or "")
    with pytest.raises(HostError, match=r"528\.33"):
        resolve(load_profile("torch"), facts, "cuda")


def test_wsl_with_a_new_enough_windows_driver_gets_cuda() -> None:
    facts = wsl("560.94", ("NVIDIA GeForce RTX 3090", "8.6"))
    decision = resolve(load_profile("torch"), facts, "auto")
    assert decision.variant is not None and decision.variant.value == "cu126"
    assert findings(facts)["gpu.driver-cuda"].status == "ok"


def test_the_probe_reads_wsls_driver_with_the_windows_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platform, "release", lambda: "5.15.153.1-microsoft-standard-WSL2")
    monkeypatch.setattr(platform, "system", lambda: "Linux")
    assert gpu_nvidia.driver_os() == "Windows"
    # 570.26 is CUDA 12.8's Linux driver; the Windows table needs 570.65 for 12.8, so on WSL 570.26 is 12.6.
    assert max_cuda_for_driver("570.26", gpu_nvidia.driver_os()) == "12.6"
    monkeypatch.setattr(platform, "release", lambda: "6.1.0-18-amd64")
    assert gpu_nvidia.driver_os() == "Linux"
