"""`llmenv export`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llmenv.cli.options import AcceleratorOption

FORMATS = ("requirements", "dockerfile", "devcontainer", "github-actions")


def _check_output(value: Path | None) -> Path | None:
    from llmenv.cli.outputs import check_output_file

    return check_output_file(value, "--output")


def export(
    profile: Annotated[str, typer.Argument(help="Profile name or YAML path.")],
    format: Annotated[
        str, typer.Option("--format", "-f", help="requirements, dockerfile, devcontainer or github-actions.")
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write here instead of stdout.", show_default=False, callback=_check_output
        ),
    ] = None,
    accelerator: AcceleratorOption = None,
    python: Annotated[
        str | None, typer.Option("--python", help="Interpreter path or version to plan for.", show_default=False)
    ] = None,
    llmenv_spec: Annotated[
        str | None,
        typer.Option(
            "--llmenv-spec",
            help="Where the image or CI job gets llmenv (a pip requirement: git URL, wheel URL, internal index pin). "
            "Default: this llmenv's wheel, written beside the output.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Turn a profile into a hashed requirements lock, a Dockerfile, a devcontainer.json or a CI workflow.

    Without a GPU here, plan CUDA exports with LLMENV_CUDA_DRIVER / LLMENV_GPU_CC and --accelerator cuda."""
    from llmenv.cli.doctor import check_accelerator
    from llmenv.errors import UsageError
    from llmenv.workflow.artifacts import export as run_export

    check_accelerator(accelerator)
    if format not in FORMATS:
        from llmenv.suggest import did_you_mean

        raise UsageError(f"unknown format '{format}'", where="--format", fix=did_you_mean(format, FORMATS))
    text, written = run_export(profile, format, accelerator, python, output, llmenv_spec)
    if output is None:
        typer.echo(text, nl=False)
        return
    from llmenv.cli.outputs import write_output

    output.parent.mkdir(parents=True, exist_ok=True)
    write_output(output, text, "--output")
    for path in [output, *written]:
        typer.echo(f"wrote {path}", err=True)
    if any(path.suffix == ".whl" for path in written):
        typer.echo("llmenv is not on PyPI: keep the wheel beside the export (commit it with the file)", err=True)


__all__ = ["export"]
