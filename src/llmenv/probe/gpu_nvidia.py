"""NVIDIA GPUs and driver: NVML first (stable API), then nvidia-smi, then /proc/driver/nvidia/version.

NVIDIA documents that nvidia-smi's output is not guaranteed stable while NVML is, so NVML (the optional
nvidia-ml-py package) wins when importable. The driver's highest CUDA comes from NVML when available, else from
the release-notes table in `llmenv.tables.cuda`. `LLMENV_CUDA_DRIVER` / `LLMENV_GPU_CC` stand in for a GPU on
GPU-less CI (like uv's UV_CUDA_DRIVER_VERSION) and are reported as the source; LLMENV_GPU_CC takes a comma list
("6.1,12.0") for a host with several GPUs.

A driver that is installed but not working (nvidia-smi exits 9 "couldn't communicate with the NVIDIA driver", NVML
"Driver Not Loaded" or "Driver/library version mismatch") is answered as value None with that error, never as "no
driver": `driver_broken` tells the two apart for the plan and doctor.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv.probe.facts import Probed
from llmenv.process import ProcResult, run
from llmenv.tables.cuda import cuda_from_int, max_cuda_for_driver
from llmenv.tables.gpus import cc_from_name

SMI_FIELDS = "index,name,driver_version,memory.total,compute_cap,uuid"
SMI_FIELDS_OLD = "index,name,driver_version,memory.total,uuid"  # drivers before 510 reject compute_cap
SMI_TIMEOUT = 5.0
_PROC_VERSION = re.compile(r"Kernel Module(?:\s+for\s+\S+)?\s+(\d+\.\d+(?:\.\d+)?)")
_CC = re.compile(r"\d{1,2}\.\d{1,2}")
_LIST_GPU = re.compile(r"^GPU (\d+): .*\(UUID: (GPU-[0-9A-Za-z-]+)\)")
_LOST = re.compile(
    r"Unable to determine the device handle for GPU\s*([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f.]+):\s*(.*)"
)
_LIST_MIG = re.compile(r"^\s+MIG .*\(UUID: (MIG-[0-9A-Za-z/-]+)\)")
# What nvidia-smi and NVML say when the driver is installed but the kernel side is not usable.
BROKEN_SIGNS = (
    "couldn't communicate with the nvidia driver",
    "driver/library version mismatch",
    "driver not loaded",
    "exited with 9",
    "unable to determine the device handle",
    "no devices were found",
)


@dataclass(frozen=True)
class NvidiaGpu:
    index: int
    name: str
    memory_mb: int | None
    compute_capability: str | None
    uuid: str | None = None
    mig: tuple[str, ...] = ()  # MIG device UUIDs carved from this GPU (`nvidia-smi -L`), when MIG is in use


@dataclass(frozen=True)
class NvidiaInfo:
    driver: str
    max_cuda: str | None
    max_cuda_source: str  # "nvml", "nvidia-smi", "table", "override"
    gpus: tuple[NvidiaGpu, ...]
    cuda_visible_devices: str | None
    cuda_device_order: str | None = None  # CUDA_DEVICE_ORDER: PCI_BUS_ID makes CUDA's indexes nvidia-smi's
    # GPUs nvidia-smi could not reach while it listed the others (exit 15, "GPU is lost" / "Unknown Error"): bus id
    # and its words. The listed GPUs still work; only these need a reset or reseat.
    lost: tuple[str, ...] = ()
    # nvidia-smi printed its rows but exited non-zero (14: "infoROM is corrupted"): the rows are kept, this says why.
    smi_status: str | None = None


def parse_smi_csv(text: str) -> tuple[str | None, list[NvidiaGpu]]:
    """`nvidia-smi --query-gpu=index,name,driver_version,memory.total,compute_cap[,uuid] --format=csv,noheader,nounits`.

    Also accepts the output without compute_cap (drivers before 510 reject that field) and without uuid."""
    driver = None
    gpus = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.split(",")]
        if len(cells) < 4 or not cells[0].isdigit():
            continue
        driver = cells[2] or driver
        memory = int(float(cells[3])) if _number(cells[3]) else None
        rest = cells[4:]
        # Drivers before 510 print no compute_cap: NVIDIA's list by product name stands in (Tesla K80 on 470).
        cc = next((c for c in rest if _number(c)), None) or cc_from_name(cells[1])
        uuid = next((c for c in rest if c.startswith("GPU-")), None)
        gpus.append(NvidiaGpu(int(cells[0]), cells[1], memory, cc, uuid))
    return driver, gpus


def parse_smi_lost(text: str) -> tuple[str, ...]:
    """GPUs nvidia-smi could not open while it answered for the others: 'BUS-ID: its words' (exit status 15, "GPU
    has fallen off the bus or has otherwise become inaccessible", in nvidia-smi's RETURN VALUE list)."""
    found = []
    for line in text.splitlines():
        match = _LOST.search(line)
        if match:
            found.append(f"{match.group(1)}: {' '.join(match.group(2).split()) or 'inaccessible'}")
    return tuple(dict.fromkeys(found))


def parse_smi_list(text: str) -> dict[str, tuple[str, ...]]:
    """`nvidia-smi -L`: each GPU's UUID -> the UUIDs of the MIG devices listed under it."""
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        gpu = _LIST_GPU.match(line)
        if gpu:
            current = gpu.group(2)
            out[current] = []
            continue
        mig = _LIST_MIG.match(line)
        if mig and current:
            out[current].append(mig.group(1))
    return {k: tuple(v) for k, v in out.items()}


def driver_broken(error: str | None) -> bool:
    """True when a probe's error says the driver is installed but not working (not merely absent)."""
    text = (error or "").lower()
    return any(sign in text for sign in BROKEN_SIGNS)


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


def driver_os() -> str:
    """Whose driver nvidia-smi reports: under WSL it is the Windows driver (NVIDIA's CUDA on WSL guide: install the
    driver on Windows only), judged by the Windows column of the driver tables."""
    release = platform.release().lower()
    if platform.system() == "Windows" or "microsoft" in release or "wsl" in release:
        return "Windows"
    return platform.system()


def _override() -> Probed[NvidiaInfo] | None:
    driver = os.environ.get("LLMENV_CUDA_DRIVER")
    if not driver:
        return None
    cc = os.environ.get("LLMENV_GPU_CC")
    # "8.6" style only: anything else (a typo) is an unknown architecture rather than a crash later.
    capabilities = [c.strip() if _CC.fullmatch(c.strip()) else None for c in cc.split(",")] if cc else [None]
    gpus = tuple(
        NvidiaGpu(i, "GPU given by LLMENV_CUDA_DRIVER/LLMENV_GPU_CC", None, c) for i, c in enumerate(capabilities)
    )
    info = NvidiaInfo(driver, max_cuda_for_driver(driver, driver_os()), "table", gpus, _visible(), _device_order())
    return Probed(info, "override: LLMENV_CUDA_DRIVER" + (", LLMENV_GPU_CC" if cc else ""))


def _nvml() -> Probed[NvidiaInfo] | None:
    try:
        import pynvml  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
    except Exception as exc:  # NVMLError: library missing (no driver) or driver not loaded (broken): smi next
        return Probed(None, "nvml", f"NVML did not initialise: {exc}")
    try:
        driver = _text(pynvml.nvmlSystemGetDriverVersion())
        cuda = cuda_from_int(int(pynvml.nvmlSystemGetCudaDriverVersion_v2()))
        gpus = []
        for index in range(int(pynvml.nvmlDeviceGetCount())):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            major, minor = pynvml.nvmlDeviceGetCudaComputeCapability(handle)
            memory = pynvml.nvmlDeviceGetMemoryInfo(handle).total // (1024 * 1024)
            name = _text(pynvml.nvmlDeviceGetName(handle))
            uuid = _text(pynvml.nvmlDeviceGetUUID(handle))
            gpus.append(NvidiaGpu(index, name, int(memory), f"{major}.{minor}", uuid))
    finally:
        pynvml.nvmlShutdown()
    info = NvidiaInfo(driver, cuda, "nvml", tuple(gpus), _visible(), _device_order())
    return Probed(info, "nvml (nvidia-ml-py)")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _visible() -> str | None:
    return os.environ.get("CUDA_VISIBLE_DEVICES")


def _failure(result: ProcResult) -> str:
    """nvidia-smi puts the reason on its first line ("Failed to initialize NVML: Driver/library version mismatch")
    and details after it, all on stdout: keep every line, not only the last."""
    if result.error or result.timed_out or result.returncode is None:
        return result.describe_failure()
    lines = [line.strip() for line in (result.stdout + "\n" + result.stderr).splitlines() if line.strip()]
    return f"exited with {result.returncode}: {' '.join(lines)[:400]}".rstrip(": ")


def _device_order() -> str | None:
    return os.environ.get("CUDA_DEVICE_ORDER")


def _with_mig(smi: str, gpus: list[NvidiaGpu]) -> list[NvidiaGpu]:
    """MIG ids in CUDA_VISIBLE_DEVICES name devices `--query-gpu` does not list: `nvidia-smi -L` maps them."""
    if "MIG-" not in (_visible() or ""):
        return gpus
    result = run([smi, "-L"], timeout=SMI_TIMEOUT)
    if not result.ok:
        return gpus
    migs = parse_smi_list(result.stdout)
    return [dataclasses.replace(g, mig=migs.get(g.uuid or "", ())) for g in gpus]


def probe_nvidia(proc_version: Path = Path("/proc/driver/nvidia/version")) -> Probed[NvidiaInfo]:
    """value None with no error: no NVIDIA driver here. value None with error: a source exists but failed."""
    problems = []
    for source in (_override, _nvml):
        answer = source()
        if answer is not None and answer.known:
            return answer
        if answer is not None and driver_broken(answer.error):
            problems.append(answer.error or "")  # "library not found" is no driver at all: not worth a word
    os_name = driver_os()
    for smi in smi_candidates():
        result = run([smi, f"--query-gpu={SMI_FIELDS}", "--format=csv,noheader,nounits"], timeout=SMI_TIMEOUT)
        if not result.ok and "compute_cap" in (result.stdout + result.stderr):
            result = run([smi, f"--query-gpu={SMI_FIELDS_OLD}", "--format=csv,noheader,nounits"], timeout=SMI_TIMEOUT)
        # Rows printed before a non-zero exit are real (14: infoROM corrupted; 15: one GPU of several lost): kept.
        driver, gpus = parse_smi_csv(result.stdout) if result.returncode is not None else (None, [])
        if driver:
            gpus = _with_mig(smi, gpus)
            info = NvidiaInfo(
                driver,
                max_cuda_for_driver(driver, os_name),
                "table",
                tuple(gpus),
                _visible(),
                _device_order(),
                lost=parse_smi_lost(result.stdout + "\n" + result.stderr),
                smi_status=None if result.ok else _failure(result),
            )
            return Probed(info, f"{smi} --query-gpu", seconds=result.seconds)
        problems.append(f"{smi}: no GPU rows in its answer" if result.ok else f"{smi}: {_failure(result)}")
    if driver_broken("; ".join(problems)):
        # The module may still be listed in /proc (an old module after an upgrade): no CUDA program runs either way.
        return Probed(None, "nvidia-smi" if smi_candidates() else "nvml", "; ".join(problems))
    try:
        text = proc_version.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = None
    if text:
        driver = parse_proc_version(text)
        if driver:
            info = NvidiaInfo(driver, max_cuda_for_driver(driver, os_name), "table", (), _visible(), _device_order())
            return Probed(info, str(proc_version), "; ".join(problems) or None)
    if problems:
        return Probed(None, "nvidia-smi", "; ".join(problems))
    return Probed(None, f"no nvidia-smi, no NVML, no {proc_version}")


__all__ = [
    "NvidiaGpu",
    "NvidiaInfo",
    "driver_broken",
    "driver_os",
    "parse_proc_version",
    "parse_smi_csv",
    "parse_smi_list",
    "parse_smi_lost",
    "parse_smi_q",
    "probe_nvidia",
    "smi_candidates",
]
