"""Render the README's terminal pictures from real runs in a real terminal: `llmenv setup torch` and `llmenv doctor`
run in a tmux pane (tests/helpers/tmux.py, the same harness as the terminal tests), the pane's screen is captured
with its colours, once while the live region shows the training bar and once at the end, and rich saves each as
SVG. Nothing is drawn by hand.

    .venv-dev/bin/python scripts/docs_svg.py
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.text import Text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers.tmux import EXIT, Pane  # noqa: E402

DOCS = ROOT / "docs" / "img"
WIDTH = 110


def save(name: str, command: str, screen: str) -> None:
    lines = screen.splitlines()
    plain = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", line) for line in lines]
    end = next((i for i, line in enumerate(plain) if re.match(r"\[exit \d+\]", line)), len(lines))
    screen = "\n".join(lines[:end]).rstrip()  # the harness's "[exit N]" marker is not llmenv's output
    console = Console(record=True, width=WIDTH, force_terminal=True, color_system="truecolor")
    console.print(Text(f"$ {command}", style="bold"))
    console.print(Text.from_ansi(screen))
    DOCS.mkdir(parents=True, exist_ok=True)
    console.save_svg(str(DOCS / f"{name}.svg"), title=command)
    print(f"wrote {DOCS / name}.svg")


def run(argv: list[str], cwd: Path, folder: Path, during: str | None = None) -> tuple[str | None, str]:
    pane = Pane(folder, width=WIDTH, height=60)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUAL_ENV")}
    env["SHELL"] = "/bin/bash"
    try:
        pane.start(argv, env, cwd)
        live = None
        if during:
            pane.wait_for(during, timeout=900, every=0.2)
            live = pane.screen(colors=True)
        pane.wait_for(EXIT, timeout=1200)
        return live, pane.screen(colors=True)
    finally:
        pane.close()


def main() -> None:
    llmenv = [sys.executable, "-m", "llmenv"]
    data = ROOT.parent / "shared" / "data" / "imdb" / "aclImdb-mini.tar.gz"
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder) / "project"
        work.mkdir()
        _, doctor = run([*llmenv, "doctor"], work, Path(folder))
        save("doctor", "llmenv doctor", doctor)
        extra = ["--data", str(data)] if data.is_file() else ["--skip-smoke"]
        live, final = run(
            [*llmenv, "setup", "torch", *extra],
            work,
            Path(folder),
            during=r"epoch 2/\d+ .*steps" if data.is_file() else None,
        )
        if live:
            save("setup-live", "llmenv setup torch   (while it trains)", live)
        save("setup", "llmenv setup torch", final)


if __name__ == "__main__":
    main()
