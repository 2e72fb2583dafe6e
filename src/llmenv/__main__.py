"""`python -m llmenv` and the `llmenv` console script: one entry point, `run`.

It imports nothing heavy itself, so that a Ctrl-C while llmenv's own modules load (Typer, pydantic: the first
0.2 s) is answered like one later on (a line, exit 130) instead of a Python traceback. It is also the first door:
standard streams that were closed (`>&-`) and a `PYTHONHOME` that breaks this Python's imports are answered here
with one paragraph and a documented exit code (README, "Exit codes"), before anything could crash on them.
"""

from __future__ import annotations

import os
import sys

USAGE, HOST = 2, 3  # llmenv.errors.ExitCode.USAGE and HOST_UNSUITABLE (not imported: this module imports nothing)


def _say(text: str, closed: tuple[str, ...] = ()) -> None:
    """On stderr, or on stdout when stderr was closed (it is on the null device now)."""
    for name in ("stderr", "stdout"):
        stream = getattr(sys, name)
        if stream is not None and name not in closed:
            try:
                stream.write(text)
                stream.flush()
                return
            except (OSError, ValueError):
                continue


def reopen_closed_streams() -> list[str]:
    """Names of the standard streams that were closed; each is reopened on the null device, so that the next file
    llmenv opens cannot take its descriptor (a child would then write its output into that file)."""
    closed = []
    for fd, name in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
        try:
            os.fstat(fd)
            continue
        except OSError:
            closed.append(name)
        null = os.open(os.devnull, os.O_RDWR)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
        mode = "r" if fd == 0 else "w"
        setattr(sys, name, open(fd, mode, encoding="utf-8", errors="backslashreplace", closefd=False))  # noqa: SIM115
    return closed


def run() -> None:
    closed = [name for name in reopen_closed_streams() if name != "stdin"]  # no input is read: stdin may be shut
    if closed:
        _say(
            f"error: {' and '.join(closed)} {'is' if len(closed) == 1 else 'are'} closed (started with `>&-` or "
            "`2>&-`?): llmenv's results and errors would be lost\n"
            "Fix: redirect the stream to a file or to /dev/null instead of closing it\n",
            tuple(closed),
        )
        os._exit(USAGE)
    try:
        from llmenv.cli import run as cli_run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
        os._exit(130)
    except Exception as exc:  # an import that fails before llmenv runs: a broken Python, not bad input
        home = os.environ.get("PYTHONHOME")
        cause = f"PYTHONHOME is set ({home!r}), and this Python cannot load its modules with it" if home else None
        _say(
            f"error: llmenv cannot start: {cause or 'its modules cannot be loaded'} ({type(exc).__name__}: {exc})\n"
            + (
                "Fix: unset PYTHONHOME (`unset PYTHONHOME`); it points every Python at one standard library\n"
                if home
                else f"Fix: reinstall llmenv for {sys.executable} (pip install --force-reinstall llmenv)\n"
            )
        )
        os._exit(HOST)
    cli_run()


if __name__ == "__main__":
    run()
