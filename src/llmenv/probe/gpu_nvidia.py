"""NVIDIA GPUs and driver: NVML first (stable API), then nvidia-smi, then /proc/driver/nvidia/version.

NVIDIA documents that nvidia-smi's output is not guaranteed stable while NVML is, so NVML (the optional
nvidia-ml-py package) wins when importable. The driver's highest CUDA comes from NVML when available, else from
the release-notes table in `llmenv.tables.cuda`. `LLMENV_CUDA_DRIVER` / `LLMENV_GPU_CC` stand in for a GPU on
GPU-less CI (like uv's UV_CUDA_DRIVER_VERSION) and are reported as the source.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv.probe.facts import Probed
from llmenv.process import run
from llmenv.tables.cuda import cuda_from_int, max_cuda_for_driver

SMI_FIELDS = "index,name,driver_version,memory.total,compute_cap"
SMI_TIMEOUT = 5.0
_PROC_VERSION = re.compile(r"Kernel Module(?:\s+for\s+\S+)?\s+(\d+\.\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class NvidiaGpu:
    index: int
    name: str
    memory_mb: int | None
    compute_capability: str | None


@dataclass(frozen=True)
class NvidiaInfo:
    driver: str
    max_cuda: str | None
    max_cuda_source: str  # "nvml", "nvidia-smi", "table", "override"
    gpus: tuple[NvidiaGpu, ...]
    cuda_visible_devices: str | None


def parse_smi_csv(text: str) -> tuple[str | None, list[NvidiaGpu]]:
    """`nvidia-smi --query-gpu=index,name,driver_version,memory.total,compute_cap --format=csv,noheader,nounits`.

    Also accepts the output without compute_cap (drivers before 510 reject that field)."""
    driver = None
    gpus = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.split(",")]
        if len(cells) < 4 or not cells[0].isdigit():
            continue
        driver = cells[2] or driver
        memory = int(float(cells[3])) if _number(cells[3]) else None
        cc = cells[4] if len(cells) > 4 and _number(cells[4]) else None
        gpus.append(NvidiaGpu(int(cells[0]), cells[1], memory, cc))
    return driver, gpus


def parse_smi_q(text: str) -> tuple[str | None, str | None, list[str]]:
    """`nvidia-smi -q`: (driver version, CUDA version the driver supports, product names)."""
    driver = cuda = None
    names = []
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        if key == "Driver Version":
            driver = value
        elif key in ("CUDA Version", "CUDA Driver Version") and cuda is None:
            cuda = value
        elif key == "Product Name":
            names.append(value)
    return driver, cuda, names


def parse_proc_version(text: str) -> str | None:
    """`/proc/driver/nvidia/version` first line, proprietary or open kernel module."""
    match = _PROC_VERSION.search(text)
    return match.group(1) if match else None


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def smi_candidates() -> list[str]:
    found = shutil.which("nvidia-smi")
    extra = ["/usr/lib/wsl/lib/nvidia-smi"]
    if os.name == "nt":
        extra += [
            r"C:\Windows\System32\nvidia-smi.exe",
            r"C:\Program Files\NVIDIA Corporation\NVSMI\nvidia-smi.exe",
        ]
    return [p for p in ([found] if found else []) + extra if p and Path(p).is_file()]


def _override() -> Probed[NvidiaInfo] | None:
    driver = os.environ.get("LLMENV_CUDA_DRIVER")
    if not driver:
        return None
    cc = os.environ.get("LLMENV_GPU_CC")
    gpu = NvidiaGpu(0, "GPU given by LLMENV_CUDA_DRIVER/LLMENV_GPU_CC", None, cc)
    info = NvidiaInfo(driver, max_cuda_for_driver(driver, platform.system()), "table", (gpu,), None)
    return Probed(info, "override: LLMENV_CUDA_DRIVER" + (", LLMENV_GPU_CC" if cc else ""))


def _nvml() -> Probed[NvidiaInfo] | None:
    try:
        import pynvml  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
    except Exception as exc:  # NVMLError when the library or driver is missing: fall through to nvidia-smi
        return Probed(None, "nvml", f"NVML did not initialise: {exc}")
    try:
        driver = _text(pynvml.nvmlSystemGetDriverVersion())
        cuda = cuda_from_int(int(pynvml.nvmlSystemGetCudaDriverVersion_v2()))
        gpus = []
        for index in range(int(pynvml.nvmlDeviceGetCount())):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            major, minor = pynvml.nvmlDeviceGetCudaComputeCapability(handle)
            memory = pynvml.nvmlDeviceGetMemoryInfo(handle).total // (1024 * 1024)
            gpus.append(NvidiaGpu(index, _text(pynvml.nvmlDeviceGetName(handle)), int(memory), f"{major}.{minor}"))
    finally:
        pynvml.nvmlShutdown()
    return Probed(NvidiaInfo(driver, cuda, "nvml", tuple(gpus), _visible()), "nvml (nvidia-ml-py)")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _visible() -> str | None:
    return os.environ.get("CUDA_VISIBLE_DEVICES")


def probe_nvidia(proc_version: Path = Path("/proc/driver/nvidia/version")) -> Probed[NvidiaInfo]:
    """value None with no error: no NVIDIA driver here. value None with error: a source exists but failed."""
    for source in (_override, _nvml):
        answer = source()
        if answer is not None and answer.known:
            return answer
    problems = []
    os_name = platform.system()
    for smi in smi_candidates():
        result = run([smi, f"--query-gpu={SMI_FIELDS}", "--format=csv,noheader,nounits"], timeout=SMI_TIMEOUT)
        if not result.ok and "compute_cap" in (result.stdout + result.stderr):
            result = run(
                [smi, "--query-gpu=index,name,driver_version,memory.total", "--format=csv,noheader,nounits"],
                timeout=SMI_TIMEOUT,
            )
        if result.ok:
            driver, gpus = parse_smi_csv(result.stdout)
            if driver:
                info = NvidiaInfo(driver, max_cuda_for_driver(driver, os_name), "table", tuple(gpus), _visible())
                return Probed(info, f"{smi} --query-gpu", seconds=result.seconds)
            problems.append(f"{smi}: no GPU rows in its answer")
        else:
            problems.append(f"{smi}: {result.describe_failure()}")
    try:
        text = proc_version.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = None
    if text:
        driver = parse_proc_version(text)
        if driver:
            info = NvidiaInfo(driver, max_cuda_for_driver(driver, os_name), "table", (), _visible())
            return Probed(info, str(proc_version), "; ".join(problems) or None)
    if problems:
        return Probed(None, "nvidia-smi", "; ".join(problems))
    return Probed(None, f"no nvidia-smi, no NVML, no {proc_version}")


__all__ = [
    "NvidiaGpu",
    "NvidiaInfo",
    "parse_proc_version",
    "parse_smi_csv",
    "parse_smi_q",
    "probe_nvidia",
    "smi_candidates",
]
