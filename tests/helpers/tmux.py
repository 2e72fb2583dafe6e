"""A real terminal for tests: a command runs in a tmux pane on a private server; `capture-pane` reads what a person
would see on the screen, and `pipe-pane` records the raw byte stream the program wrote (escape codes included)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

SPINNER = re.compile("[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]")
EXIT = r"\[exit \d+\]"  # what the pane prints when the command ends
TERMINAL_VARS = ("NO_COLOR", "CI", "FORCE_COLOR", "COLUMNS", "LINES", "GITHUB_ACTIONS")  # the pane is the terminal
HIDE, SHOW = "\x1b[?25l", "\x1b[?25h"  # rich's Live hides the cursor while it owns the screen


def need_tmux() -> str:
    tmux = shutil.which("tmux")
    if tmux is None:
        pytest.skip("tmux is not installed (scripts/test installs it with apt-get where it can)")
    return tmux


class Pane:
    def __init__(self, folder: Path, width: int = 110, height: int = 45) -> None:
        self.tmux = need_tmux()
        self.folder = folder
        self.socket = f"llmenv-test-{uuid.uuid4().hex[:12]}"
        self.width, self.height = width, height
        self.raw = folder / "raw-stream.log"
        self.go = folder / "go"

    def _run(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            [self.tmux, "-L", self.socket, "-f", "/dev/null", *args], capture_output=True, text=True, timeout=30
        )
        if check and done.returncode != 0:
            raise AssertionError(f"tmux {args[0]} failed: {done.stderr}")
        return done.stdout

    def start(self, argv: Sequence[str], env: Mapping[str, str], cwd: Path) -> None:
        """Run argv in the pane with exactly `env` (plus TERM), once the raw-stream recorder is attached."""
        script = self.folder / "run.sh"
        skip = ("TERM", "TMUX", *TERMINAL_VARS)
        exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items() if k not in skip)
        script.write_text(
            f"unset {' '.join(TERMINAL_VARS)}\n"
            f"{exports}cd {shlex.quote(str(cwd))}\n"
            f"while [ ! -e {shlex.quote(str(self.go))} ]; do sleep 0.05; done\n"
            f"{shlex.join(argv)}\n"
            'echo "[exit $?]"\n'
            "sleep 600\n"
        )
        self._run("new-session", "-d", "-s", "t", "-x", str(self.width), "-y", str(self.height), f"bash {script}")
        self._run("set-option", "-t", "t", "history-limit", "5000")
        self._run("pipe-pane", "-t", "t", "-o", f"cat >> {shlex.quote(str(self.raw))}")
        self.go.touch()

    def screen(self, colors: bool = False) -> str:
        """The screen and its scrollback, as a person sees it now (trailing blanks removed); `colors` keeps the
        escape sequences (for pictures)."""
        text = self._run("capture-pane", "-p", "-J", *(["-e"] if colors else []), "-t", "t", "-S", "-500")
        return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")

    def wait_for(self, pattern: str, timeout: float = 120.0, every: float = 0.2) -> list[str]:
        """Wait until the screen shows `pattern`; returns every snapshot taken meanwhile (for overlap checks)."""
        deadline = time.monotonic() + timeout
        snapshots = []
        while True:
            snap = self.screen()
            snapshots.append(snap)
            if re.search(pattern, snap):
                return snapshots
            if time.monotonic() > deadline or (pattern != EXIT and re.search(EXIT, snap)):
                raise AssertionError(f"timed out waiting for {pattern!r}; screen:\n{snap}")
            time.sleep(every)

    def wait_exit(self, timeout: float = 300.0) -> tuple[int, list[str]]:
        snaps = self.wait_for(EXIT, timeout)
        code = int(re.findall(r"\[exit (\d+)\]", snaps[-1])[-1])
        return code, snaps

    def send(self, *keys: str) -> None:
        self._run("send-keys", "-t", "t", *keys)

    def raw_stream(self) -> str:
        time.sleep(0.3)  # pipe-pane's cat flushes asynchronously
        return self.raw.read_text(encoding="utf-8", errors="replace") if self.raw.exists() else ""

    def close(self) -> None:
        self._run("kill-server", check=False)


def pane_env() -> dict[str, str]:
    """The test process's environment (private HOME, logs, pip config from the fixtures), for the pane."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "TMUX"))}


def final_lines(screen: str) -> list[str]:
    """The program's lines on the final screen: before the "[exit N]" marker."""
    lines = screen.splitlines()
    end = max(i for i, line in enumerate(lines) if re.match(r"\[exit \d+\]", line))
    return [line for line in lines[:end] if line.strip()]


def live_regions(raw: str) -> list[str]:
    """The order in which live regions took and gave back the screen: 'l' (hide cursor), 'h' (show)."""
    return ["l" if m == HIDE else "h" for m in re.findall(re.escape(HIDE) + "|" + re.escape(SHOW), raw)]


__all__ = ["SPINNER", "Pane", "final_lines", "live_regions", "need_tmux", "pane_env"]
