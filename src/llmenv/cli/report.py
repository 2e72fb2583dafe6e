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
    files: Annotated[
        list[Path] | None, typer.Argument(help="`llmenv doctor --json` outputs, one per node (NODE.json).")
    ] = None,
    setup: Annotated[
        Path | None,
        typer.Option(
            "--setup",
            help="Folder of the nodes' `llmenv setup --json` outputs (NODE.json): each node's setup status joins its "
            "line, and a node whose setup failed fails.",
            show_default=False,
        ),
    ] = None,
    expect: Annotated[
        list[str] | None,
        typer.Option(
            "--expect",
            help="A node that must have reported (repeat it; a Slurm job passes its allocation): one without a "
            "report fails.",
            show_default=False,
        ),
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Show every key, not only those that differ.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Which node differs from the others or fails, and how; exit 1 when any does, 0 when all agree."""
    from llmenv.report.merge import load_reports, load_setups, merge_json, node_states, print_merge, verdict
    from llmenv.report.merge import merge as merge_reports

    if not files and not expect:
        from llmenv.errors import UsageError

        raise UsageError("no reports to merge", where="FILES", fix="llmenv report merge NODE1.json NODE2.json ...")
    reports = load_reports(files or [])
    states_of = list(dict.fromkeys([*(expect or []), *reports]))
    setups = load_setups(setup, states_of) if setup is not None else None
    rows = merge_reports(reports)
    states = node_states(reports, setups, expect)
    if as_json:
        typer.echo(json.dumps(merge_json(reports, rows, states), indent=2, allow_nan=False))  # strict JSON, never NaN
    else:
        print_merge(rows, states, show_all=show_all)
    differ, failed = verdict(rows, states)
    raise typer.Exit(1 if differ or failed else 0)


__all__ = ["app"]
