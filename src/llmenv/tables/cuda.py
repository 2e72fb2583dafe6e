"""NVIDIA driver version -> the CUDA versions it can run.

Source: NVIDIA CUDA Toolkit Release Notes (13.2 Update 2 edition), Table 3 "CUDA Toolkit and Corresponding Driver
Versions" (minimum driver shipped with each toolkit, Linux x86_64 and Windows x86_64 columns), and Table 2 /
docs.nvidia.com/deploy/cuda-compatibility/minor-version-compatibility.html for minor-version compatibility:
a driver >= 580 runs CUDA 13.x and 12.x builds, 525-579 runs any 12.x build, 450.80.02-524 any 11.x build
(newer minors than the driver's own with a limited feature set: PTX JIT of newer PTX fails).
"""

from __future__ import annotations

from typing import Final

# (CUDA toolkit, minimum Linux driver, minimum Windows driver or None where the installer bundles none).
TOOLKIT_DRIVERS: Final[tuple[tuple[str, str, str | None], ...]] = (
    ("13.2", "595.45.04", None),
    ("13.1", "590.44.01", None),
    ("13.0", "580.65.06", None),
    ("12.9", "575.51.03", "576.02"),
    ("12.8", "570.26", "570.65"),
    ("12.6", "560.28.03", "560.76"),
    ("12.5", "555.42.02", "555.85"),
    ("12.4", "550.54.14", "551.61"),
    ("12.3", "545.23.06", "545.84"),
    ("12.2", "535.54.03", "536.25"),
    ("12.1", "530.30.02", "531.14"),
    ("12.0", "525.60.13", "527.41"),
    ("11.8", "520.61.05", "520.06"),
    ("11.7", "515.43.04", "516.01"),
    ("11.6", "510.39.01", "511.23"),
    ("11.5", "495.29.05", "496.04"),
    ("11.4", "470.42.01", "471.11"),
    ("11.3", "465.19.01", "465.89"),
    ("11.2", "460.27.03", "460.82"),
    ("11.1", "455.23", "456.38"),
    ("11.0", "450.51.05", "451.48"),
    ("10.2", "440.33", "441.22"),
    ("10.1", "418.39", "418.96"),
    ("10.0", "410.48", "411.31"),
)

# Minor-version compatibility: the lowest driver that runs every minor of a CUDA major family.
FAMILY_MIN_DRIVER: Final[dict[int, tuple[str, str]]] = {
    13: ("580.65.06", "580.88"),
    12: ("525.60.13", "528.33"),
    11: ("450.80.02", "452.39"),
}


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def max_cuda_for_driver(driver: str, os_name: str = "Linux") -> str | None:
    """The newest toolkit whose own minimum driver this driver meets: what nvidia-smi prints as 'CUDA Version'."""
    have = version_tuple(driver)
    windows = os_name == "Windows"
    for toolkit, linux_min, windows_min in TOOLKIT_DRIVERS:
        minimum = (windows_min or linux_min) if windows else linux_min
        if have >= version_tuple(minimum):
            return toolkit
    return None


def driver_runs_cuda(driver: str, cuda: str, os_name: str = "Linux") -> bool:
    """True when a build for CUDA `cuda` runs on this driver, counting minor-version compatibility."""
    max_cuda = max_cuda_for_driver(driver, os_name)
    if max_cuda is None:
        return False
    if version_tuple(cuda) <= version_tuple(max_cuda):
        return True
    major = version_tuple(cuda)[0]
    family = FAMILY_MIN_DRIVER.get(major)
    if family is None:
        return False
    minimum = family[1] if os_name == "Windows" else family[0]
    return version_tuple(driver) >= version_tuple(minimum)


def family_min_driver(cuda: str, os_name: str = "Linux") -> str | None:
    """The lowest driver that runs any build of `cuda`'s major family (minor-version compatibility, Table 2)."""
    family = FAMILY_MIN_DRIVER.get(version_tuple(cuda)[0])
    if family is None:
        return None
    return family[1] if os_name == "Windows" else family[0]


def native_driver_for(cuda: str, os_name: str = "Linux") -> str | None:
    """The driver shipped with toolkit `cuda` (Table 3): the lowest whose own CUDA ('CUDA Version') is >= `cuda`.
    None where Table 3 names none (Windows from CUDA 13.0: the installer bundles no driver)."""
    wanted = version_tuple(cuda)
    fitting = [row for row in TOOLKIT_DRIVERS if version_tuple(row[0]) >= wanted]
    if not fitting:
        return None
    _toolkit, linux_min, windows_min = fitting[-1]
    return windows_min if os_name == "Windows" else linux_min


def compat_note(driver: str, own: str | None, cuda: str, os_name: str = "Linux") -> str:
    """Why a driver whose own CUDA (`own`, as probed) is older than `cuda` still runs the build: '' if native."""
    if own is None or version_tuple(cuda) <= version_tuple(own):
        return ""  # native, or a driver older than the table (it runs no build this note could be about)
    family = version_tuple(cuda)[0]
    native = native_driver_for(cuda, os_name)
    return (
        f"driver {driver}'s own CUDA is {own}; it runs this CUDA {cuda} build through CUDA minor-version "
        f"compatibility: a CUDA {family}.x build runs on any driver >= {family_min_driver(cuda, os_name)} with a "
        f"limited feature set (JIT compilation of its CUDA {cuda} PTX, and calls that need a newer driver, need "
        + (f">= {native}, the CUDA {cuda} driver)" if native else f"a CUDA {cuda} driver)")
    )


def upgrade_fix(cuda: str, os_name: str = "Linux") -> str:
    """The driver upgrade that lets a CUDA `cuda` build run, each driver named with its own CUDA."""
    native = native_driver_for(cuda, os_name)
    family = family_min_driver(cuda, os_name)
    if family is None or (native is not None and version_tuple(family) >= version_tuple(native)):
        if native is None:
            return f"upgrade the NVIDIA driver to one whose CUDA version (`nvidia-smi`) is {cuda} or newer"
        return f"upgrade the NVIDIA driver to >= {native} (CUDA {cuda})"
    own = max_cuda_for_driver(family, os_name)
    text = f"upgrade the NVIDIA driver to >= {family} (CUDA {own})"
    if own is not None and version_tuple(own) >= version_tuple(cuda):
        return text
    text += f", which runs CUDA {cuda} builds through minor-version compatibility"
    return text + (f"; >= {native} (CUDA {cuda}) runs them natively" if native else "")


def cuda_from_int(value: int) -> str:
    """NVML / cuDriverGetVersion encode 12.4 as 12040."""
    return f"{value // 1000}.{(value % 1000) // 10}"


__all__ = [
    "FAMILY_MIN_DRIVER",
    "TOOLKIT_DRIVERS",
    "compat_note",
    "cuda_from_int",
    "driver_runs_cuda",
    "family_min_driver",
    "max_cuda_for_driver",
    "native_driver_for",
    "upgrade_fix",
]
