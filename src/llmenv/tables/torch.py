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

# SASS architectures per CUDA build (major, minor), and the newest one shipped as PTX (JIT-able on newer GPUs).
_PRE_BLACKWELL = ((5, 0), (6, 0), (7, 0), (7, 5), (8, 0), (8, 6), (9, 0))
_BLACKWELL = ((7, 5), (8, 0), (8, 6), (9, 0), (10, 0), (12, 0))
ARCHS: Final[dict[str, tuple[tuple[tuple[int, int], ...], tuple[int, int] | None]]] = {
    "11.8": (_PRE_BLACKWELL, None),
    "12.4": (_PRE_BLACKWELL, None),
    "12.6": (_PRE_BLACKWELL, None),
    "12.8": (_BLACKWELL, (12, 0)),
    "12.9": (_BLACKWELL, (12, 0)),
    "13.0": (_BLACKWELL, (12, 0)),
    "13.2": (_BLACKWELL, (12, 0)),
}


def cuda_of(variant: str) -> str:
    """'cu126' -> '12.6', 'cu130' -> '13.0', 'cu118' -> '11.8'."""
    digits = variant[2:]
    return f"{digits[:-1]}.{digits[-1]}"


def runs_on(cuda: str, capability: str) -> bool:
    """True when a build for `cuda` has kernels for a GPU of compute `capability` ('8.6').

    A cubin for sm_XY runs on sm_XZ with Z >= Y (same major); PTX JIT-compiles for any newer GPU."""
    sass, ptx = ARCHS.get(cuda, ((), None))
    major, minor = (int(p) for p in capability.split(".")[:2])
    if any(a_major == major and a_minor <= minor for a_major, a_minor in sass):
        return True
    return ptx is not None and (major, minor) >= ptx


def arch_range(cuda: str) -> str:
    sass, ptx = ARCHS.get(cuda, ((), None))
    if not sass:
        return "unknown"
    text = f"sm_{sass[0][0]}{sass[0][1]}..sm_{sass[-1][0]}{sass[-1][1]}"
    return text + (" +PTX" if ptx else "")


def variants_for(version: str) -> TorchVariants | None:
    return TORCH.get(".".join(version.split("+")[0].split(".")[:2]))


__all__ = ["ARCHS", "TORCH", "TorchVariants", "arch_range", "cuda_of", "runs_on", "variants_for"]
