"""`llmenv report merge`: many nodes' doctor reports, one table of what differs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from llmenv.cli.options import JsonOption

app = typer.Typer(help="Combine reports from several machines.", no_args_is_help=True, rich_markup_mode=None)


@app.command("merge")
def merge(
    files: Annotated[list[Path], typer.Argument(help="`llmenv doctor --json` outputs, one per node (NODE.json).")],
    show_all: Annotated[bool, typer.Option("--all", help="Show every key, not only those that differ.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Which node differs from the others, and how; exit 1 when any node differs, 0 when all agree."""
    from llmenv.report.merge import load_reports, merge_json, print_merge
    from llmenv.report.merge import merge as merge_reports

    reports = load_reports(files)
    rows = merge_reports(reports)
    if as_json:
        typer.echo(json.dumps(merge_json(reports, rows), indent=2))
    else:
        print_merge(reports, rows, show_all=show_all)
    raise typer.Exit(1 if any(row.differs for row in rows) else 0)


__all__ = ["app"]
