"""PyTorch wheel variants per release and the GPU architectures each CUDA build carries kernels for.

Sources: PyTorch RELEASE.md compatibility matrix (stable and experimental CUDA per release, ROCm per release) and
its CUDA architecture notes for 2.12-2.14 (CUDA 12.6 builds: sm_50 ... sm_90; CUDA 13.x builds: sm_75 ... sm_120
with PTX); `torch.cuda.get_arch_list()` observed for 2.7+cu126 (sm_50-sm_90) and 2.8+cu128 (sm_75-sm_120 +
compute_120), the reason a GTX 1080 Ti (sm_61) fails on cu128 builds (astral-sh/uv#14742).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class TorchVariants:
    cuda: tuple[str, ...]  # stable CUDA variants, newest first: "cu130", "cu126"
    experimental: tuple[str, ...]
    rocm: tuple[str, ...]


TORCH: Final[dict[str, TorchVariants]] = {
    "2.14": TorchVariants(("cu132", "cu130", "cu126"), (), ("rocm7.2",)),
    "2.13": TorchVariants(("cu130", "cu126"), ("cu132",), ("rocm7.2",)),
    "2.12": TorchVariants(("cu130", "cu126"), ("cu132",), ("rocm7.2",)),
    "2.11": TorchVariants(("cu130", "cu128", "cu126"), (), ("rocm7.2",)),
    "2.10": TorchVariants(("cu128", "cu126"), ("cu130",), ("rocm7.1",)),
    "2.9": TorchVariants(("cu128", "cu126"), ("cu130",), ("rocm6.4",)),
    "2.8": TorchVariants(("cu128", "cu126"), ("cu129",), ("rocm6.4",)),
    "2.7": TorchVariants(("cu126", "cu118"), ("cu128",), ("rocm6.3",)),
    "2.6": TorchVariants(("cu124", "cu118"), ("cu126",), ("rocm6.2.4",)),
}

# SASS architectures per CUDA build (major, minor), and the newest one shipped as PTX (JIT-able on newer GPUs), per
# platform: PyTorch RELEASE.md "CUDA architecture support" for 2.12-2.14 (also /work/shared/reference/ecosystem.md):
#   Linux x86_64 and Windows: CUDA 12.6 -> 5.0, 6.0, 7.0, 7.5, 8.0, 8.6, 9.0; CUDA 13.x -> 7.5, 8.0, 8.6, 9.0, 10.0,
#   12.0 + PTX (PTX on Linux only).  Linux aarch64 (Grace / GH200 / GB200 / Jetson Thor builds): CUDA 12.6 -> 8.0, 9.0;
#   CUDA 13.x -> 8.0, 9.0, 10.0, 11.0, 12.0 + PTX.
# 11.8 / 12.4 / 12.8 / 12.9 x86_64 from `torch.cuda.get_arch_list()` of 2.6+cu118/cu124, 2.7+cu126 and 2.8+cu128.
# A (platform, CUDA) pair not listed is unknown: the choice then does not rule the build out and says so.
_PRE_BLACKWELL = ((5, 0), (6, 0), (7, 0), (7, 5), (8, 0), (8, 6), (9, 0))
_BLACKWELL = ((7, 5), (8, 0), (8, 6), (9, 0), (10, 0), (12, 0))
_ARM_12 = ((8, 0), (9, 0))
_ARM_13 = ((8, 0), (9, 0), (10, 0), (11, 0), (12, 0))
Archs = tuple[tuple[tuple[int, int], ...], tuple[int, int] | None]
ARCHS: Final[dict[str, dict[str, Archs]]] = {
    "linux-x86_64": {
        "11.8": (_PRE_BLACKWELL, None),
        "12.4": (_PRE_BLACKWELL, None),
        "12.6": (_PRE_BLACKWELL, None),
        "12.8": (_BLACKWELL, (12, 0)),
        "12.9": (_BLACKWELL, (12, 0)),
        "13.0": (_BLACKWELL, (12, 0)),
        "13.2": (_BLACKWELL, (12, 0)),
    },
    "windows-x86_64": {
        "11.8": (_PRE_BLACKWELL, None),
        "12.4": (_PRE_BLACKWELL, None),
        "12.6": (_PRE_BLACKWELL, None),
        "12.8": (_BLACKWELL, None),
        "12.9": (_BLACKWELL, None),
        "13.0": (_BLACKWELL, None),
        "13.2": (_BLACKWELL, None),
    },
    "linux-aarch64": {
        "12.6": (_ARM_12, None),
        "13.0": (_ARM_13, (12, 0)),
        "13.2": (_ARM_13, (12, 0)),
    },
}


def platform_key(os_name: str, machine: str) -> str:
    """The arch-list table a host reads: 'linux-x86_64', 'windows-x86_64' or 'linux-aarch64'."""
    arm = machine.lower() in ("aarch64", "arm64")
    if os_name == "Windows":
        return "windows-x86_64"
    return "linux-aarch64" if arm else "linux-x86_64"


def cuda_of(variant: str) -> str:
    """'cu126' -> '12.6', 'cu130' -> '13.0', 'cu118' -> '11.8'."""
    digits = variant[2:]
    return f"{digits[:-1]}.{digits[-1]}"


def archs_known(cuda: str, platform: str = "linux-x86_64") -> bool:
    return cuda in ARCHS.get(platform, {})


def runs_on(cuda: str, capability: str, platform: str = "linux-x86_64") -> bool:
    """True when a build for `cuda` on `platform` has kernels for a GPU of compute `capability` ('8.6').

    A cubin for sm_XY runs on sm_XZ with Z >= Y (same major); PTX JIT-compiles for any newer GPU."""
    sass, ptx = ARCHS.get(platform, {}).get(cuda, ((), None))
    major, minor = (int(p) for p in capability.split(".")[:2])
    if any(a_major == major and a_minor <= minor for a_major, a_minor in sass):
        return True
    return ptx is not None and (major, minor) >= ptx


def has_sass(cuda: str, capability: str, platform: str = "linux-x86_64") -> bool:
    """True when the build carries compiled kernels (cubins) for the GPU, not only PTX to JIT-compile: PTX JIT needs
    a driver whose own CUDA is at least the build's (minor-version compatibility does not cover it)."""
    sass, _ptx = ARCHS.get(platform, {}).get(cuda, ((), None))
    major, minor = (int(p) for p in capability.split(".")[:2])
    return any(a_major == major and a_minor <= minor for a_major, a_minor in sass)


def arch_range(cuda: str, platform: str = "linux-x86_64") -> str:
    sass, ptx = ARCHS.get(platform, {}).get(cuda, ((), None))
    if not sass:
        return "unknown"
    text = f"sm_{sass[0][0]}{sass[0][1]}..sm_{sass[-1][0]}{sass[-1][1]}"
    return text + (" +PTX" if ptx else "")


# One compute capability per NVIDIA generation PyTorch has built for (Maxwell to Blackwell; NVIDIA's CUDA GPUs list):
# how "wide" a build is when the GPU's own architecture is unknown.
GENERATIONS: Final = ("5.0", "5.2", "6.0", "6.1", "7.0", "7.5", "8.0", "8.6", "8.9", "9.0", "10.0", "12.0")


def width(cuda: str, platform: str = "linux-x86_64") -> int:
    """How many GPU generations a build for `cuda` runs on (0 when its architecture list is unknown)."""
    if not archs_known(cuda, platform):
        return 0
    return sum(runs_on(cuda, cc, platform) for cc in GENERATIONS)


def variants_for(version: str) -> TorchVariants | None:
    return TORCH.get(".".join(version.split("+")[0].split(".")[:2]))


__all__ = [
    "ARCHS",
    "GENERATIONS",
    "TORCH",
    "TorchVariants",
    "arch_range",
    "archs_known",
    "cuda_of",
    "has_sass",
    "platform_key",
    "runs_on",
    "variants_for",
    "width",
]
