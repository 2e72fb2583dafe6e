"""NVIDIA GPU facts the probes cannot ask the driver for, and what serves GPUs the current builds leave out.

Compute capability by product name, for drivers before 510 (they reject nvidia-smi's `compute_cap` field, so a
Tesla K80 on its last driver, 470, prints no architecture): NVIDIA's "CUDA GPUs - Compute Capability" list
(developer.nvidia.com/cuda-gpus, the legacy list for Kepler and Maxwell). Only names that unambiguously fix one
architecture are listed; anything else stays unknown.

Kepler: NVIDIA's CUDA and driver support matrix (the data-center driver documentation's "Supported architectures"
table; CUDA 12.0 release notes, "Kepler architecture support removed"): compute 3.5/3.7 are served by CUDA 11.x at
most, and R470 is the last driver branch for them, so no driver upgrade brings a newer CUDA. PyTorch's last CUDA
builds with sm_37 kernels are 2.0's (cu117, cu118: `torch.cuda.get_arch_list()` of 2.0+cu118 is sm_37 ... sm_90,
pytorch/pytorch#95648); Kepler left PyTorch's architecture list with pytorch/pytorch#101187 (2.1). A CUDA 11.7 build
runs on driver 470 through CUDA 11 minor-version compatibility (any driver >= 450.80.02), and torch 2.0.1 has wheels
for Python 3.8-3.11 only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# Substring of the product name (as nvidia-smi prints it) -> compute capability. Longest match wins.
NAME_CC: Final[tuple[tuple[str, str], ...]] = (
    ("Tesla K80", "3.7"),
    ("Tesla K40", "3.5"),
    ("Tesla K20", "3.5"),
    ("Tesla K10", "3.0"),
    ("GeForce GTX TITAN", "3.5"),
    ("GeForce GTX 780", "3.5"),
    ("GeForce GTX 770", "3.0"),
    ("GeForce GTX 680", "3.0"),
    ("Tesla M60", "5.2"),
    ("Tesla M40", "5.2"),
    ("GeForce GTX 980", "5.2"),
    ("GeForce GTX 970", "5.2"),
    ("Tesla P100", "6.0"),
    ("Tesla P40", "6.1"),
    ("Tesla P4", "6.1"),
    ("Quadro P4000", "6.1"),
    ("GeForce GTX 1080", "6.1"),
    ("GeForce GTX 1070", "6.1"),
    ("GeForce GTX 1060", "6.1"),
    ("Tesla V100", "7.0"),
    ("Tesla T4", "7.5"),
    ("GeForce RTX 2080", "7.5"),
    ("A100-", "8.0"),  # "NVIDIA A100-SXM4-40GB"; not "RTX A1000" (sm_86)
    ("A100 ", "8.0"),  # "NVIDIA A100 80GB PCIe"
)

# The last driver branch per retired architecture family (compute major.minor prefix) and its CUDA ceiling.
LAST_DRIVER: Final[dict[str, tuple[str, str, str]]] = {
    # major -> (architecture name, last driver branch, newest CUDA it serves)
    "3": ("Kepler", "R470", "11.x"),
}


@dataclass(frozen=True)
class OlderRelease:
    torch: str
    variant: str
    python: str  # the Pythons that release has wheels for
    source: str


# The newest PyTorch release whose CUDA builds carry kernels for a retired architecture (exact capability).
LAST_TORCH_FOR_CC: Final[dict[str, OlderRelease]] = {
    "3.7": OlderRelease("2.0.1", "cu117", ">=3.8,<3.12", "pytorch/pytorch#95648 (2.0+cu118 arch list), #101187"),
}


def cc_from_name(name: str) -> str | None:
    """The compute capability NVIDIA lists for this product name, or None when the name does not fix one."""
    hits = [(len(key), cc) for key, cc in NAME_CC if key.lower() in name.lower()]
    return max(hits)[1] if hits else None


def retired(cc: str) -> tuple[str, str, str] | None:
    """(architecture, last driver branch, newest CUDA) for an architecture NVIDIA's current drivers dropped."""
    return LAST_DRIVER.get(cc.split(".")[0])


__all__ = ["LAST_DRIVER", "LAST_TORCH_FOR_CC", "NAME_CC", "OlderRelease", "cc_from_name", "retired"]
