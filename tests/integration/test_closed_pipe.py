"""`llmenv ... | head -2`: the reader stops reading, llmenv stops writing, quietly, with the status of a program
stopped by SIGPIPE (141), never 1 (a failed check) and never a traceback or error paragraph. Real pipes, and a real
shell pipeline."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

LLMENV = [sys.executable, "-m", "llmenv"]
CLOSED_PIPE = 141


def run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before llmenv writes a byte
    try:
        return subprocess.run([*LLMENV, *args], stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)


@pytest.mark.parametrize(
    "args", [("profiles", "list"), ("ci", "schema", "setup"), ("probe", "--offline"), ("--version",), ("--help",)]
)
def test_closed_pipe_is_quiet_141(args: tuple[str, ...]) -> None:
    """Failed before the fix: status 1 (click's answer to EPIPE), as if something had failed."""
    done = run_into_closed_pipe(*args)
    assert done.returncode == CLOSED_PIPE
    assert done.stderr == ""


def test_a_shell_pipeline_whose_reader_has_gone() -> None:
    """The shape of `llmenv ... | head -2`, in bash with pipefail: the reader exits before llmenv writes (a short
    sleep orders them; `head` itself would read a 10 KB output whole from the 64 KB pipe buffer)."""
    command = f"set -o pipefail; (sleep 0.5; exec {shlex.join(LLMENV)} ci schema setup) | true; echo $?"
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == str(CLOSED_PIPE) and done.stderr == ""


def test_a_reader_that_reads_everything_still_gets_0() -> None:
    done = subprocess.run([*LLMENV, "ci", "schema", "setup"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("{")
