"""`llmenv bundle`: one archive that sets up a verified env with no network (`llmenv setup --bundle FILE`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llmenv.cli.options import MirrorOption, RequirePytorchIndexOption


def bundle(
    profile: Annotated[str, typer.Argument(help="Profile name or YAML path.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The archive to write (.tar).")],
    accelerator: Annotated[
        list[str] | None,
        typer.Option(
            "--accelerator",
            help="Variant to carry (repeatable; default: the profile's for this host).",
            show_default=False,
        ),
    ] = None,
    python: Annotated[
        str | None, typer.Option("--python", help="Target Python X.Y (an installed interpreter).", show_default=False)
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option("--platform", help="Target platform as uv names it (x86_64-manylinux_2_28).", show_default=False),
    ] = None,
    mirror: MirrorOption = None,
    require_pytorch_index: RequirePytorchIndexOption = False,
    data: Annotated[
        Path | None, typer.Option("--data", help="IMDB data to carry for the smoke test.", show_default=False)
    ] = None,
    python_archive: Annotated[
        Path | None,
        typer.Option("--python-archive", help="A python-build-standalone archive to carry.", show_default=False),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines.")] = False,
) -> None:
    """Write one archive: hashed locks, every wheel they name, uv, llmenv, a Python build, smoke data, manifest."""
    from llmenv.cli.doctor import check_accelerator
    from llmenv.errors import UsageError
    from llmenv.plan.bundle import human_size
    from llmenv.workflow.bundle import BundleOptions, make_bundle

    for value in accelerator or []:
        check_accelerator(value)
    if platform is not None:
        from llmenv.plan.bundle import check_platform

        check_platform(platform)
    if mirror is not None and "://" in mirror:
        from llmenv.door.urls import host_problem

        problem = host_problem(mirror)
        if problem is not None:
            raise UsageError(f"the mirror URL cannot be used: {problem}", where="--mirror", fix="correct the URL")
    for path, flag in ((data, "--data"), (python_archive, "--python-archive")):
        if path is not None and not path.is_file():
            raise UsageError(f"{flag} {path}: no such file", where=flag, fix="give an existing file")
    say = (lambda line: None) if quiet else (lambda line: typer.echo(f"-> {line}", err=True))
    options = BundleOptions(
        profile, output, tuple(accelerator or ()), python, platform, mirror, data, python_archive, require_pytorch_index
    )
    report = make_bundle(options, say)
    for line in report.sources:
        typer.echo(f"  mirror {line}", err=True)
    typer.echo(f"wrote {report.output}: {human_size(report.size)}, {report.members} members, {report.seconds:.0f} s")
    for note in report.notes:
        typer.echo(f"  note: {note}")


__all__ = ["bundle"]
