"""The GPU stand-in variables (`LLMENV_CUDA_DRIVER`, `LLMENV_GPU_CC`) are user input: checked before any probe
reads them, so a typo is a usage error naming the variable instead of a crash deep in the plan (or, worse, a
driver "abc" that doctor calls ok)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from llmenv.errors import UsageError, short_path

_DRIVER = re.compile(r"^\d{1,6}(\.\d{1,6}){0,2}$")
_CAPABILITY = re.compile(r"^\d{1,2}\.\d{1,2}$")


def check_gpu_overrides(environ: Mapping[str, str] | None = None) -> None:
    env = os.environ if environ is None else environ
    driver = env.get("LLMENV_CUDA_DRIVER")
    if driver and not _DRIVER.match(driver.strip()):
        raise UsageError(
            f"LLMENV_CUDA_DRIVER={short_path(driver, 40)!s} is not an NVIDIA driver version",
            where="LLMENV_CUDA_DRIVER",
            fix="set it to a driver version such as 550.54.14 (as `nvidia-smi` shows it), or unset it",
        )
    capability = env.get("LLMENV_GPU_CC")
    if capability and not all(_CAPABILITY.match(part.strip()) for part in capability.split(",")):
        raise UsageError(
            f"LLMENV_GPU_CC={short_path(capability, 40)} is not a compute capability",
            where="LLMENV_GPU_CC",
            fix="set it to MAJOR.MINOR such as 8.0 or 9.0 (several GPUs: 8.0,9.0), or unset it",
        )


__all__ = ["check_gpu_overrides"]
