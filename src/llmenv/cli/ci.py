"""`llmenv ci cache-key` and `llmenv ci schema`: helpers for CI jobs."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from llmenv.cli.options import AcceleratorOption, JsonOption

app = typer.Typer(help="Helpers for CI jobs: cache keys and the JSON Schemas of --json outputs.", no_args_is_help=True)


@app.command("cache-key")
def cache_key(
    profile: Annotated[str, typer.Argument(help="Profile name or YAML path.")] = "transformers",
    accelerator: AcceleratorOption = None,
    python: Annotated[
        str | None, typer.Option("--python", help="Interpreter path or version.", show_default=False)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """A stable cache key for the environment this host would get: changes exactly when setup would rebuild."""
    from llmenv.cli.doctor import check_accelerator
    from llmenv.workflow.artifacts import cache_key as compute

    check_accelerator(accelerator)
    key, parts = compute(profile, accelerator, python)
    if not as_json:
        typer.echo(key)
        return
    from llmenv.report.documents.listings import CacheKeyDocument
    from llmenv.report.documents.parts import build

    typer.echo(json.dumps(build(CacheKeyDocument, {"key": key, **parts}), indent=2))


@app.command("schema")
def schema(
    name: Annotated[
        str,
        typer.Argument(
            help="doctor, probe, setup, smoke, merge, error, stamp, cache-key, profiles-list or profiles-show."
        ),
    ],
) -> None:
    """Print the JSON Schema of a command's --json output, generated from its typed model."""
    from llmenv.errors import UsageError
    from llmenv.report.documents import NAMES, schemas

    if name not in NAMES:
        from llmenv.suggest import did_you_mean

        raise UsageError(f"no schema named '{name}'", fix=did_you_mean(name, NAMES))
    typer.echo(json.dumps(schemas()[name], indent=2, sort_keys=True))


__all__ = ["app"]
