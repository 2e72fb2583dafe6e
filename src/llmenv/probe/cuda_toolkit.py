"""A CUDA toolkit (nvcc), reported apart from the driver: wheels bundle their own CUDA runtime, so a toolkit only
matters for compiling extensions, and a toolkit newer than the driver makes those extensions fail to load."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from llmenv.probe.facts import Probed
from llmenv.process import run


@dataclass(frozen=True)
class CudaToolkit:
    version: str
    nvcc: str
    cuda_home: str | None


def parse_nvcc_version(text: str) -> str | None:
    """`Cuda compilation tools, release 12.4, V12.4.131` -> '12.4'."""
    match = re.search(r"release (\d+\.\d+)", text)
    return match.group(1) if match else None


def probe_cuda_toolkit() -> Probed[CudaToolkit]:
    home = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH")
    candidates = [shutil.which("nvcc")]
    for base in filter(None, [home, "/usr/local/cuda"]):
        candidates.append(str(Path(base) / "bin" / ("nvcc.exe" if os.name == "nt" else "nvcc")))
    for nvcc in candidates:
        if nvcc and Path(nvcc).is_file():
            result = run([nvcc, "--version"], timeout=5.0)
            version = parse_nvcc_version(result.stdout) if result.ok else None
            if version:
                return Probed(CudaToolkit(version, nvcc, home), f"{nvcc} --version", seconds=result.seconds)
            return Probed(None, nvcc, result.describe_failure() if not result.ok else "unrecognised nvcc output")
    return Probed(None, "no nvcc on PATH, in CUDA_HOME/CUDA_PATH or /usr/local/cuda")


__all__ = ["CudaToolkit", "parse_nvcc_version", "probe_cuda_toolkit"]
