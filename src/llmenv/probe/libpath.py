"""Shared libraries on LD_LIBRARY_PATH that shadow the ones the wheels bring.

The dynamic loader searches LD_LIBRARY_PATH before a wheel's own RPATH'd copies (torch's nvidia-* libraries) and
before the system's libstdc++, so an old CUDA toolkit or a conda libstdc++ there breaks `import torch` in a way
that reinstalling cannot repair: only removing the entry (or unsetting the variable) does.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

# Libraries the frameworks' wheels ship (or need in a newer version than old toolkits have).
SHADOWING = re.compile(
    r"^lib(cudart|cublas|cublasLt|cudnn|cufft|curand|cusolver|cusparse|nccl|nvrtc|nvJitLink|stdc\+\+|gcc_s)\.so"
)


@dataclass(frozen=True)
class Shadow:
    folder: str
    library: str  # file name, e.g. libstdc++.so.6


def shadowing_libraries(env: Mapping[str, str] | None = None) -> list[Shadow]:
    value = (os.environ if env is None else env).get("LD_LIBRARY_PATH", "")
    found = []
    for folder in dict.fromkeys(value.split(os.pathsep)):
        if not folder:
            continue
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        found += [Shadow(folder, name) for name in names if SHADOWING.match(name)]
    return found


__all__ = ["SHADOWING", "Shadow", "shadowing_libraries"]
