"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON (versioned schema).")]
OfflineOption = Annotated[bool, typer.Option("--offline", help="Do not touch the network (skip index checks).")]
EnvOption = Annotated[
    Path | None, typer.Option("--env", help="Path of an environment to check (imports, pins, GPU).", show_default=False)
]
AcceleratorOption = Annotated[
    str | None,
    typer.Option("--accelerator", help="auto, cpu, cuda, rocm or mps (default: the profile's)", show_default=False),
]

JunitOption = Annotated[
    Path | None,
    typer.Option(
        "--junit", help="Also write a JUnit XML report (one testcase per check) to this file.", show_default=False
    ),
]

MirrorOption = Annotated[
    str | None,
    typer.Option(
        "--mirror",
        help="Mirror set for PyPI, PyTorch wheels, the model hub and Python builds: a name (china, tuna, aliyun, "
        "... or one from <config dir>/mirrors.yaml), auto (probe all, keep what answers) or upstream. "
        "Default: LLMENV_MIRROR, else the profile's `mirror:`.",
        show_default=False,
    ),
]

__all__ = ["AcceleratorOption", "EnvOption", "JsonOption", "JunitOption", "MirrorOption", "OfflineOption"]
