"""`llmenv export`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llmenv.cli.options import AcceleratorOption, MirrorOption

FORMATS = ("requirements", "dockerfile", "devcontainer", "github-actions", "slurm")


def _check_output(value: Path | None) -> Path | None:
    from llmenv.cli.outputs import check_output_file

    return check_output_file(value, "--output")


def export(
    profile: Annotated[str, typer.Argument(help="Profile name or YAML path.")],
    format: Annotated[
        str, typer.Option("--format", "-f", help="requirements, dockerfile, devcontainer, github-actions or slurm.")
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
    nodes: Annotated[
        int | None, typer.Option("--nodes", min=1, max=100000, help="slurm: how many nodes (one task each; default 1).")
    ] = None,
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            help="slurm: install from this bundle on the shared filesystem (default: from the indexes).",
            show_default=False,
        ),
    ] = None,
    env: Annotated[
        Path | None,
        typer.Option(
            "--env",
            help="slurm: a shared env path, built once and checked on every node (default: node-local, under $TMPDIR).",
            show_default=False,
        ),
    ] = None,
    reports: Annotated[
        Path | None,
        typer.Option(
            "--reports",
            help="slurm: shared folder for the nodes' reports, one subfolder per job (default: ./llmenv-reports).",
            show_default=False,
        ),
    ] = None,
    partition: Annotated[str | None, typer.Option("--partition", help="slurm: #SBATCH --partition.")] = None,
    time: Annotated[str | None, typer.Option("--time", help="slurm: #SBATCH --time.")] = None,
    account: Annotated[str | None, typer.Option("--account", help="slurm: #SBATCH --account.")] = None,
    smoke: Annotated[bool, typer.Option("--smoke", help="slurm: also run the smoke test on every node.")] = False,
    mirror: MirrorOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace files at the output paths that llmenv did not write.")
    ] = False,
) -> None:
    """Turn a profile into a hashed requirements lock, a Dockerfile, a devcontainer.json, a CI workflow or a Slurm
    batch script that sets up and checks the env on every node (docs/cluster.md).

    Without a GPU here, plan CUDA exports with LLMENV_CUDA_DRIVER / LLMENV_GPU_CC and --accelerator cuda."""
    from llmenv.cli.doctor import check_accelerator
    from llmenv.errors import UsageError
    from llmenv.workflow.artifacts import export as run_export

    check_accelerator(accelerator)
    if format not in FORMATS:
        from llmenv.suggest import did_you_mean

        raise UsageError(f"unknown format '{format}'", where="--format", fix=did_you_mean(format, FORMATS))
    slurm = {"--nodes": nodes, "--bundle": bundle, "--env": env, "--reports": reports, "--partition": partition,
             "--time": time, "--account": account, "--smoke": smoke or None}  # fmt: skip
    if format == "slurm":
        from llmenv.workflow.cluster import SlurmOptions, export_slurm

        if llmenv_spec is not None:
            raise UsageError("--llmenv-spec does not apply to --format slurm", where="--llmenv-spec",
                             fix="the nodes run llmenv with the Python that ran this export (it must be on a shared "
                             "filesystem); submit with LLMENV_PYTHON=/path/to/python to use another")  # fmt: skip
        options = SlurmOptions(nodes or 1, bundle, env, reports, partition, time, account, smoke)
        if output is not None:
            from llmenv.workflow.artifacts import check_output

            check_output(output, force)
        text, written = export_slurm(profile, accelerator, python, options, mirror), list[Path]()
    else:
        given = [name for name, value in slurm.items() if value is not None]
        if given:
            raise UsageError(f"{given[0]} applies to --format slurm only", where=given[0],
                             fix=f"drop {given[0]}, or export with --format slurm")  # fmt: skip
        text, written = run_export(profile, format, accelerator, python, output, llmenv_spec, mirror, force)
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
