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


def _check_junit(value: Path | None) -> Path | None:
    from llmenv.cli.outputs import check_output_file

    return check_output_file(value, "--junit", make_parents=True)  # the JUnit writer creates its folder


JunitOption = Annotated[
    Path | None,
    typer.Option(
        "--junit",
        help="Also write a JUnit XML report (one testcase per check) to this file.",
        show_default=False,
        callback=_check_junit,
    ),
]

__all__ = ["AcceleratorOption", "EnvOption", "JsonOption", "JunitOption", "OfflineOption"]
