"""Render the README's terminal pictures from real runs: `llmenv doctor` and `llmenv setup torch` are run here,
their coloured output captured and saved as SVG by rich. Nothing is drawn by hand.

    .venv/bin/python scripts/docs_svg.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.text import Text

DOCS = Path(__file__).resolve().parents[1] / "docs" / "img"


def capture(argv: list[str], cwd: Path) -> str:
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "110"}
    env.pop("NO_COLOR", None)
    env.pop("CI", None)
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    return done.stderr + done.stdout


def save(name: str, command: str, output: str) -> None:
    console = Console(record=True, width=110, force_terminal=True)
    console.print(Text(f"$ {command}", style="bold"))
    console.print(Text.from_ansi(output))
    DOCS.mkdir(parents=True, exist_ok=True)
    console.save_svg(str(DOCS / f"{name}.svg"), title=command)
    print(f"wrote {DOCS / name}.svg")


def main() -> None:
    llmenv = [sys.executable, "-m", "llmenv"]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        save("doctor", "llmenv doctor", capture([*llmenv, "doctor"], work))
        data = Path(__file__).resolve().parents[2] / "shared" / "data" / "imdb" / "aclImdb-mini.tar.gz"
        extra = ["--data", str(data)] if data.is_file() else ["--skip-smoke"]
        save("setup", "llmenv setup torch", capture([*llmenv, "setup", "torch", *extra], work))


if __name__ == "__main__":
    main()
