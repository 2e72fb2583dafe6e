"""`llmenv lock`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llmenv.cli.options import MirrorOption, RequirePytorchIndexOption


def _check_output_dir(value: Path | None) -> Path | None:
    from llmenv.cli.outputs import check_output_dir

    return check_output_dir(value, "--output-dir")


def lock(
    profile: Annotated[str, typer.Argument(help="Profile name or YAML path.")],
    accelerator: Annotated[
        list[str] | None,
        typer.Option(
            "--accelerator",
            help="Lock for this accelerator (repeatable; default: what this host gets). "
            "Lock CUDA variants on a CPU machine with LLMENV_CUDA_DRIVER / LLMENV_GPU_CC.",
            show_default=False,
        ),
    ] = None,
    python: Annotated[
        str | None, typer.Option("--python", help="Interpreter path or version to lock for.", show_default=False)
    ] = None,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            help="Where to write (default: beside the profile; ./llmenv-locks for built-ins).",
            show_default=False,
            callback=_check_output_dir,
        ),
    ] = None,
    mirror: MirrorOption = None,
    require_pytorch_index: RequirePytorchIndexOption = False,
) -> None:
    """Write fully pinned, hash-checked requirements per accelerator variant; `setup` installs from them."""
    from llmenv.cli.doctor import check_accelerator
    from llmenv.workflow.artifacts import lock as run_lock

    for value in accelerator or []:
        check_accelerator(value)
    for path in run_lock(
        profile, list(accelerator or []), python, output_dir, mirror=mirror, require_pytorch_index=require_pytorch_index
    ):
        typer.echo(f"wrote {path}")


__all__ = ["lock"]
