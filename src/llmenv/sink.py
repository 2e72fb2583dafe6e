"""The sink: the one place where llmenv's output leaves, redacted (DESIGN.md section 7d).

Everything a user, a CI log or another local user can see passes here: the terminal (stdout and stderr are
wrapped for the whole command by `streams()`, so rich, typer and plain writes alike are covered), files written
for the user (`-o`, `--junit`, the GitHub step summary, crash and tool logs: `write_text`, `append_text`,
`LogWriter`), and child processes (`child_argv` refuses a credential in an argument list, since any local user can
read `/proc/PID/cmdline`; credentials go to children through their environment or a 0600 file). The command line
itself is llmenv's own argv: a credential there was visible to every local user from the moment llmenv started,
so `refuse_secret_arguments` stops the command before it does anything and says how to pass it instead.

Call sites never redact by hand: a new output is safe by writing through here. Data that is stored (the stamp)
keeps its own rule (`llmenv.redact.Secret`, hashes of redacted URLs)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, TextIO

from llmenv.redact import has_secret, redact_text


def redact(text: str) -> str:
    """What may be shown of `text`: credentials in URLs and well-known token shapes masked."""
    return redact_text(text)


class RedactingStream:
    """A text stream that redacts what passes. Text is held until a line ends or the writer flushes (rich and typer
    flush after each print), so a URL written in two pieces is still seen whole; everything else is the wrapped
    stream's (isatty, fileno, encoding). There is no `.buffer`: bytes written there would pass unredacted, and
    click falls back to the text stream when a stream has none."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._pending = ""

    @property
    def wrapped(self) -> TextIO:
        return self._stream

    def write(self, text: str) -> int:
        self._pending += text
        if "\n" in self._pending:
            head, _, self._pending = self._pending.rpartition("\n")
            self._stream.write(redact_text(head + "\n"))
        return len(text)

    def writelines(self, lines: Sequence[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, ""
            self._stream.write(redact_text(pending))
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":
            raise AttributeError(name)
        return getattr(self._stream, name)


@contextlib.contextmanager
def streams() -> Iterator[None]:
    """stdout and stderr redacted for the duration of one command; the streams are flushed and restored after."""
    saved = sys.stdout, sys.stderr
    wrapped: list[Any] = [s if isinstance(s, RedactingStream) or s is None else RedactingStream(s) for s in saved]
    sys.stdout, sys.stderr = wrapped
    try:
        yield
    finally:
        for stream in wrapped:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                stream.flush()
        sys.stdout, sys.stderr = saved


def write_text(path: Path, text: str) -> Path:
    """A file llmenv writes for the user (`-o`, `--junit`): redacted, and written by the door's rule for output
    files (a FIFO or device at the name is refused, not waited on)."""
    from llmenv.paths import write_regular

    write_regular(path, redact_text(text))
    return path


def append_text(path: Path | str, text: str) -> None:
    """A file another program owns that llmenv adds to (GitHub's step summary): redacted, and opened by the door's
    rule for output files (a FIFO or device at the name is refused, not waited on)."""
    from llmenv.paths import write_regular

    write_regular(Path(path), redact_text(text), append=True)


class LogWriter:
    """A tool log: every line redacted on its way to the file."""

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle

    def write(self, text: str) -> None:
        self._handle.write(redact_text(text))

    def flush(self) -> None:
        self._handle.flush()


def child_argv(argv: Sequence[str]) -> list[str]:
    """A child's argument list, checked: a credential there is a bug in llmenv (the caller must pass it through
    the child's environment or a 0600 file), so the child is not started."""
    args = [os.fspath(a) for a in argv]
    if any(has_secret(a) for a in args):
        raise RuntimeError(
            f"a credential would be in the arguments of {os.path.basename(args[0]) if args else 'a program'}, "
            "readable by every local user; it was not started"
        )
    return args


# Where a credential can go instead of the command line, per option.
_INSTEAD = {
    "--mirror": "write the URL as a set of yours in <config dir>/mirrors.yaml (keep that file 0600; see "
    "docs/mirrors.md) and pass --mirror NAME, or keep the password in ~/.netrc and pass the URL without it",
}
_GENERIC = (
    "keep the credential out of the command line: put it in ~/.netrc (pip and uv read it, mode 0600) or in the "
    "environment variable the tool reads, and pass the value without it"
)


def refuse_secret_arguments(args: Sequence[str]) -> None:
    """Stop a command whose arguments hold a credential (a URL's password, a token): llmenv's own argv is readable
    by every local user for as long as it runs (bundle and setup run for minutes). The message names the option,
    never the value."""
    from llmenv.errors import UsageError

    for i, arg in enumerate(args):
        option, sep, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        value = inline if sep else arg
        if not has_secret(value):
            continue
        named = option if sep else (args[i - 1] if i and args[i - 1].startswith("-") else "an argument")
        raise UsageError(
            f"{named} holds a credential, and a program's arguments can be read by every local user "
            "(/proc/PID/cmdline, ps) while it runs",
            where=named,
            fix=_INSTEAD.get(named, _GENERIC),
        )


__all__ = [
    "LogWriter",
    "RedactingStream",
    "append_text",
    "child_argv",
    "redact",
    "refuse_secret_arguments",
    "streams",
    "write_text",
]
