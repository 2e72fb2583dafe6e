"""Which Pythons, libcs and CPUs each pinned framework release supports.

Sources: PyTorch RELEASE.md compatibility matrix (torch 2.6-2.14 rows) and the manylinux_2_28 switch
(pytorch/pytorch#138732); the manylinux_2_27 tag of the tensorflow-cpu 2.21.0 wheels on PyPI; TensorFlow "tested build configurations" (tensorflow/docs site/en/install/source.md,
2026-03-11) and pip install page (AVX requirement); transformers and NumPy `Requires-Python` metadata on PyPI
(transformers 5.20.2 is the last release with Python 3.10, 5.21+ need 3.11; NumPy 2.2.x supports 3.10-3.13).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Support:
    python: str  # PEP 440 specifier of supported CPython minors
    min_glibc: str | None = None  # manylinux floor of the Linux wheels
    needs_avx: bool = False
    source: str = ""


# Keyed by (canonical project name, "major.minor").
SUPPORT: Final[dict[tuple[str, str], Support]] = {
    ("torch", "2.14"): Support(">=3.10,<3.16", "2.28", source="PyTorch RELEASE.md"),
    ("torch", "2.13"): Support(">=3.10,<3.16", "2.28", source="PyTorch RELEASE.md"),
    ("torch", "2.12"): Support(">=3.10,<3.15", "2.28", source="PyTorch RELEASE.md"),
    ("torch", "2.11"): Support(">=3.10,<3.15", "2.28", source="PyTorch RELEASE.md"),
    ("torch", "2.10"): Support(">=3.10,<3.15", "2.28", source="PyTorch RELEASE.md"),
    ("torch", "2.9"): Support(">=3.10,<3.15", "2.28", source="PyTorch RELEASE.md"),
    ("torch", "2.8"): Support(">=3.9,<3.14", "2.28", source="PyTorch RELEASE.md"),
    ("torch", "2.7"): Support(">=3.9,<3.14", "2.28", source="PyTorch RELEASE.md"),
    ("torch", "2.6"): Support(">=3.9,<3.14", "2.28", source="PyTorch RELEASE.md"),
    ("torch", "2.5"): Support(">=3.9,<3.13", "2.17", source="PyTorch RELEASE.md"),
    ("tensorflow", "2.21"): Support(">=3.10,<3.14", "2.27", True, "TensorFlow tested build configurations"),
    ("tensorflow", "2.20"): Support(">=3.9,<3.14", None, True, "TensorFlow tested build configurations"),
    ("tensorflow", "2.19"): Support(">=3.9,<3.13", None, True, "TensorFlow tested build configurations"),
    ("tensorflow", "2.18"): Support(">=3.9,<3.13", None, True, "TensorFlow tested build configurations"),
    ("tensorflow", "2.17"): Support(">=3.9,<3.13", None, True, "TensorFlow tested build configurations"),
    ("tensorflow", "2.16"): Support(">=3.9,<3.13", None, True, "TensorFlow tested build configurations"),
    ("transformers", "5.20"): Support(">=3.10", source="PyPI Requires-Python"),
    ("transformers", "5.24"): Support(">=3.11", source="PyPI Requires-Python"),
    ("numpy", "2.2"): Support(">=3.10,<3.14", source="PyPI Requires-Python and published wheels"),
    ("numpy", "2.4"): Support(">=3.11", source="PyPI Requires-Python"),
}
# tensorflow-cpu and tensorflow share releases and wheels' constraints.
ALIASES: Final[dict[str, str]] = {"tensorflow-cpu": "tensorflow"}


def support_for(project: str, version: str) -> Support | None:
    parts = version.split("+")[0].split(".")
    key = (ALIASES.get(project, project), ".".join(parts[:2]))
    return SUPPORT.get(key)


__all__ = ["ALIASES", "SUPPORT", "Support", "support_for"]
