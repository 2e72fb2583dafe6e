"""`llmenv profiles list|show|validate|schema`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="List, show, validate built-in and user profiles; print the JSON Schema for editors.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


@app.command("list")
def list_profiles(as_json: JsonOption = False) -> None:
    """List every profile llmenv can find, in lookup order (./profiles, user config, built-in)."""
    from llmenv.profiles.catalog import catalog
    from llmenv.report.profiles import print_catalog

    entries = catalog()
    if as_json:
        from llmenv.report.documents.listings import ProfileList

        listed = ProfileList.model_validate([e.to_dict() for e in entries])
        typer.echo(json.dumps(listed.model_dump(mode="json", exclude_unset=True), indent=2))
    else:
        print_catalog(entries)


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="Profile name or path to a YAML file.")],
    accelerator: Annotated[
        str | None,
        typer.Option(help="Show the packages for one accelerator: cpu, cuda, rocm or mps."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show a profile fully resolved (after `extends`), with its packages per accelerator."""
    from llmenv.errors import UsageError
    from llmenv.profiles.load import load_profile
    from llmenv.report.profiles import print_profile, resolved_view

    profile = load_profile(name)
    from llmenv.profiles.model import CONCRETE_ACCELERATORS
    from llmenv.suggest import did_you_mean

    if accelerator is not None and accelerator not in CONCRETE_ACCELERATORS:
        raise UsageError(
            f"unknown accelerator '{accelerator}'",
            where="--accelerator",
            fix=did_you_mean(accelerator, CONCRETE_ACCELERATORS),
        )
    view = resolved_view(profile, accelerator)
    if as_json:
        from llmenv.report.documents.listings import ProfileView
        from llmenv.report.documents.parts import build

        typer.echo(json.dumps(build(ProfileView, view), indent=2))
    else:
        print_profile(view)


@app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(help="Profile files to check.", show_default=False)],
) -> None:
    """Check profile files (and the profiles they extend); exit 2 listing every problem found."""
    from llmenv.errors import ProfileError, ProfileIssue
    from llmenv.profiles.load import read_profile_file, resolve
    from llmenv.report.console import stdout_console

    console = stdout_console()
    issues: list[ProfileIssue] = []
    for file in files:
        try:
            profile = resolve(read_profile_file(file))
        except ProfileError as exc:
            issues.extend(exc.issues)
            continue
        console.print(f"ok: {file} (profile '{profile.name}', {len(profile.packages)} packages)")
    if issues:
        raise ProfileError(issues)


def _check_output(value: Path | None) -> Path | None:
    from llmenv.cli.outputs import check_output_file

    return check_output_file(value, "--output")


@app.command("schema")
def schema(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of stdout.", callback=_check_output),
    ] = None,
) -> None:
    """Print the profile JSON Schema (point editors at it with a `# yaml-language-server: $schema=` line)."""
    from llmenv.profiles.schema import schema_text

    text = schema_text()
    if output is None:
        typer.echo(text, nl=False)
    else:
        from llmenv.cli.outputs import write_output

        write_output(output, text, "--output")


__all__ = ["app"]
