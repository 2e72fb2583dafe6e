"""Waiting for the work a finished llmenv command left running in the background.

`llmenv setup` ends before two detached processes it started: the bytecode warm-up of the checked modules
(warm_imports.py, which writes `__pycache__` into the new generation) and the deletion of old generations moved
to `.trash-*`. A test that compares a store byte for byte before and after a later command must not see their
writes as the later command's."""

from __future__ import annotations

import time
from pathlib import Path

MARKERS = (b"warm_imports.py", b".trash-")


def running() -> list[str]:
    """The command lines of llmenv's background processes that are still running on this machine."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:  # it exited meanwhile
            continue
        if any(marker in cmdline for marker in MARKERS):
            found.append(cmdline.replace(b"\0", b" ").decode(errors="replace"))
    return found


def wait_for_background(timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while running():
        if time.monotonic() > deadline:
            raise AssertionError(f"llmenv's background work still runs after {timeout:.0f} s: {running()}")
        time.sleep(0.02)
