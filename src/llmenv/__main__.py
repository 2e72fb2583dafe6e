"""`python -m llmenv` and the `llmenv` console script: one entry point, `run`.

It imports nothing heavy itself, so that a Ctrl-C while llmenv's own modules load (Typer, pydantic: the first
0.2 s) is answered like one later on (a line, exit 130) instead of a Python traceback."""

from __future__ import annotations

import os
import sys


def run() -> None:
    try:
        from llmenv.cli import run as cli_run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
        os._exit(130)
    cli_run()


if __name__ == "__main__":
    run()
