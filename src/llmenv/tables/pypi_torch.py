"""What PyPI's own torch wheels are, per release: PyPI forbids local version labels, so it holds one build per
platform. On Linux that is a CUDA build (x86_64 always; aarch64 from torch 2.11, before which it was the CPU build);
on macOS and Windows it is the CPU build. llmenv installs it only when no PyTorch index or mirror answers
(plan/pypi_torch.py).

Sources:
- The Linux x86_64 cp311 wheel's METADATA on PyPI (PEP 658 `.metadata` file beside the wheel, read 2026-12-06):
  2.6.0 requires nvidia-cuda-runtime-cu12==12.4.127; 2.8.0, 2.9.0 and 2.10.0 nvidia-cuda-runtime-cu12==12.8.90, all
  with the marker `platform_system == "Linux" and platform_machine == "x86_64"` (so aarch64 got no CUDA);
  2.11.0 cuda-toolkit[...]==13.0.2; 2.13.0 and 2.14.0 cuda-toolkit[...]==13.0.3; 2.15.0 cuda-toolkit[...]==13.2.2
  (the JSON API's latest release), from 2.11 with the marker `platform_system == "Linux"` alone: aarch64 too.
- PyTorch's release manager for 2.11 (googlecolab/colabtools#5925): "CUDA 13 is now the default version installed
  for both x86_64 and ARM platforms"; the move itself: pytorch/pytorch#177975 "Move cuda stable 12.8->13.0"
  (dev-discuss "Transitioning PyPI CUDA wheels to CUDA 13.0 as the stable release 2.11"). The 2.14 RFC
  (pytorch/pytorch#190355) proposed CUDA 13.2 for PyPI, but the published 2.14.0 wheel requires CUDA 13.0.3.
- 2.7.0 and 2.12.0 (METADATA not served by the index here): 2.7 from uv's PyTorch guide (PyPI's Linux build was
  CUDA 12.6 for 2.7, docs/guides/integration/pytorch.md); 2.12 between 2.11 and 2.13, both cu130 (also
  /work/shared/reference/ecosystem.md section 4.4, "CUDA 13.0 as of torch 2.11.0").
"""

from __future__ import annotations

from typing import Final

# torch release (major.minor) -> the CUDA variant of PyPI's Linux x86_64 wheel.
PYPI_LINUX_X86_64_CUDA: Final[dict[str, str]] = {
    "2.15": "cu132",
    "2.14": "cu130",
    "2.13": "cu130",
    "2.12": "cu130",
    "2.11": "cu130",
    "2.10": "cu128",
    "2.9": "cu128",
    "2.8": "cu128",
    "2.7": "cu126",
    "2.6": "cu124",
}
# From 2.11 the same CUDA requirement holds for Linux aarch64 (the marker no longer names x86_64); before, the
# aarch64 wheel was the CPU build.
FIRST_AARCH64_CUDA: Final[tuple[int, int]] = (2, 11)

# Download sizes in bytes, for the warning when the index lists no sizes (PEP 503 HTML pages do not; PEP 691 JSON
# does, and then the index's own number is used for the torch wheel).
# - CPU build: torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl from download.pytorch.org/whl/cpu is
#   191,794,682 bytes (the file in this machine's wheel folder); its dependencies are small pure-Python wheels.
# - PyPI's Linux x86_64 build: the torch wheel is 526,574,961 bytes (cp311, PyPI's PEP 691 page); with the CUDA
#   13.0 libraries it requires (cuda-toolkit's nvidia-* wheels, nvidia-cudnn-cu13, -cusparselt-, -nccl-, -nvshmem-,
#   cuda-bindings, triton: 21 wheels) `pip download torch==2.13.0` (cp311, no pip configuration) fetched
#   2,740,739,688 bytes in 29 files, 2,203,710,239 of them the CUDA wheels and triton (docs/benchmarks.md,
#   "PyPI's torch build"). Other releases and Pythons differ by a few percent: the warning says "about".
CPU_BUILD_BYTES: Final[int] = 191_794_682
PYPI_TORCH_WHEEL_BYTES: Final[int] = 526_574_961
PYPI_LINUX_CUDA_LIBS_BYTES: Final[int] = 2_203_710_239


def pypi_variant(version: str, os_name: str, machine: str) -> str:
    """The build PyPI's torch `version` is on this platform: 'cu130' and the like on Linux (aarch64 from 2.11), else
    'cpu'. A release this table does not know is 'cuda' on Linux x86_64 (an unknown CUDA, said as unknown)."""
    arm = machine.lower() in ("aarch64", "arm64")
    if os_name != "Linux":
        return "cpu"
    release = ".".join(version.split("+")[0].split(".")[:2])
    if arm:
        try:
            newer = tuple(int(p) for p in release.split(".")) >= FIRST_AARCH64_CUDA
        except ValueError:
            return "cpu"
        return PYPI_LINUX_X86_64_CUDA.get(release, "cuda") if newer else "cpu"
    return PYPI_LINUX_X86_64_CUDA.get(release, "cuda")


__all__ = [
    "CPU_BUILD_BYTES",
    "FIRST_AARCH64_CUDA",
    "PYPI_LINUX_CUDA_LIBS_BYTES",
    "PYPI_LINUX_X86_64_CUDA",
    "PYPI_TORCH_WHEEL_BYTES",
    "pypi_variant",
]
