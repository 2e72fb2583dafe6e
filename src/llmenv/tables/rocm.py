"""The AMD GPU targets (gfx) each PyTorch ROCm build carries kernels for.

Source: PyTorch's release build scripts, the PYTORCH_ROCM_ARCH each ROCm wheel is compiled with:
pytorch/pytorch `.ci/docker/manywheel/build.sh` (ROCm 6.x images, e.g. `manylinux2_28-builder:rocm6.2.4`):
gfx900, gfx906, gfx908, gfx90a, gfx942, gfx1030, gfx1100, gfx1101, gfx1102, gfx1200, gfx1201; and
`.ci/docker/libtorch/build.sh` for the ROCm 7 images (7.0.2 onwards), which adds gfx950, gfx1150, gfx1151.
A GPU whose target is not listed (RX 6600 gfx1032, RX 6700 XT gfx1031, RX 5700 XT gfx1010, RX 580 gfx803) finds no
kernel at run time ("HIP error: invalid device function"). AMD's ROCm compatibility matrix
(rocm.docs.amd.com, "System requirements (Linux)") supports gfx1030 but not gfx1031/gfx1032; making ROCm treat such a
GPU as gfx1030 with HSA_OVERRIDE_GFX_VERSION=10.3.0 is an unofficial route neither AMD nor PyTorch support.
"""

from __future__ import annotations

from typing import Final

_ROCM6: Final = (
    "gfx900", "gfx906", "gfx908", "gfx90a", "gfx942", "gfx1030", "gfx1100", "gfx1101", "gfx1102", "gfx1200", "gfx1201",
)  # fmt: skip
_ROCM7: Final = (*_ROCM6, "gfx950", "gfx1150", "gfx1151")

GFX: Final[dict[str, tuple[str, ...]]] = {
    "rocm6.2.4": _ROCM6,
    "rocm6.3": _ROCM6,
    "rocm6.4": _ROCM6,
    "rocm7.1": _ROCM7,
    "rocm7.2": _ROCM7,
}


def base_gfx(gfx: str) -> str:
    """rocminfo's agent name may carry target features ('gfx90a:sramecc+:xnack-'): the target is before them."""
    return gfx.split(":")[0].strip().lower()


def carries(variant: str, gfx: str) -> bool | None:
    """True/False when llmenv knows the build's targets, None when it does not (not checked then)."""
    targets = GFX.get(variant)
    return None if targets is None else base_gfx(gfx) in targets


__all__ = ["GFX", "base_gfx", "carries"]
