"""One place that decides how text reaches the terminal.

Data goes to stdout, chatter and errors to stderr. Foreign text (profile values, tool output) is printed with
markup off, so a requirement like `tensorflow[and-cuda]` is never read as rich markup.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from rich.console import Console


def plain_output() -> bool:
    """No colours or live widgets when piped, in CI, or when the user asks (NO_COLOR); FORCE_COLOR wins (the
    script that renders the README's terminal pictures uses it)."""
    if os.environ.get("FORCE_COLOR"):
        return False
    return bool(os.environ.get("NO_COLOR") or os.environ.get("CI")) or not sys.stdout.isatty()


def table_width(needed: int) -> int | None:
    """The width to draw a table in, or None for plain lines: a table only where stdout is a terminal whose width is
    known and wide enough (a pipe, a file or a CI log gets lines that are never wrapped or cut)."""
    if os.environ.get("FORCE_COLOR"):  # the README pictures: a recorded terminal of a known width
        width = int(os.environ.get("COLUMNS", "110"))
    elif plain_output():
        return None
    else:
        width = shutil.get_terminal_size((0, 0)).columns
    return width if width >= needed else None


def one_line(text: str) -> str:
    """A multi-line value as one line: plain output is grep-able, one fact or finding per line."""
    return "; ".join(part.strip() for part in text.splitlines() if part.strip())


def write_lines(lines: Iterable[str]) -> None:
    """Plain lines to stdout, bypassing rich so nothing is wrapped, cut or styled; control characters from user
    data are escaped as everywhere else."""
    from llmenv.report.text import printable

    sys.stdout.write("".join(f"{printable(line)}\n" for line in lines))
    sys.stdout.flush()


def human_size(mb: float) -> str:
    """Sizes as people read them, the unit always written: 77942 MB -> '76.1 GiB'."""
    size, unit = float(mb) * 1024 * 1024, "B"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            break
        size /= 1024
    return f"{size:.0f} {unit}" if unit in ("B", "KiB") else f"{size:.1f} {unit}"


class Printer(Protocol):
    def print(self, *objects: Any, **kwargs: Any) -> None: ...


def _safe_console(**options: Any) -> Console:
    """A rich Console whose `print` escapes control characters in plain strings (see report/text.py): every line
    the reports build from user data (descriptions, paths, evidence) passes through it."""
    from rich.console import Console

    from llmenv.report.text import printable

    class SafeConsole(Console):
        def print(self, *objects: Any, **kwargs: Any) -> None:
            super().print(*(printable(o, keep_newlines=True) if isinstance(o, str) else o for o in objects), **kwargs)

    return SafeConsole(**options)


class PlainConsole:
    """What the SafeConsole prints where nothing can be styled (the stream is not a terminal and colour is off):
    strings written as they are, control characters escaped, flushed after each print as rich does. Anything else
    (a table) goes to a real SafeConsole. Importing rich costs 15 ms, a tenth of a piped `llmenv setup`'s start."""

    def __init__(self, stderr: bool, **options: Any) -> None:
        self.stderr = stderr
        self._options = options
        self._rich: Console | None = None

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", **kwargs: Any) -> None:
        if not all(isinstance(o, str) for o in objects):
            if self._rich is None:
                self._rich = _safe_console(stderr=self.stderr, **self._options)
            self._rich.print(*objects, sep=sep, end=end, **kwargs)
            return
        from llmenv.report.text import printable

        stream = sys.stderr if self.stderr else sys.stdout
        stream.write(sep.join(printable(o, keep_newlines=True) for o in objects) + end)
        stream.flush()


def _console(stderr: bool) -> Printer:
    # soft_wrap: rich never inserts line breaks into a line (a path split by rich cannot be pasted); the terminal
    # wraps it visually.
    options: dict[str, Any] = {"markup": False, "highlight": False, "emoji": False, "soft_wrap": True}
    stream = sys.stderr if stderr else sys.stdout
    if plain_output() and not stream.isatty():
        return PlainConsole(stderr, **options)
    return _safe_console(stderr=stderr, no_color=plain_output(), **options)


def terminal_console() -> Console:
    """The rich console of the live display, which draws on stderr only where it is a terminal."""
    return _safe_console(
        stderr=True, markup=False, highlight=False, emoji=False, no_color=plain_output(), soft_wrap=True
    )


def stdout_console() -> Printer:
    return _console(stderr=False)


def stderr_console() -> Printer:
    return _console(stderr=True)


def print_error(text: str) -> None:
    # Plain write, not rich: an error must print even when rich itself is what broke. Errors quote user data (keys,
    # paths, values), so control characters are escaped.
    from llmenv.report.text import printable

    sys.stderr.write(f"error: {printable(text, keep_newlines=True)}\n")
    sys.stderr.flush()


def print_notice(text: str) -> None:
    """A line of chatter (what a command waits for) on stderr, where it does not mix with data on stdout."""
    from llmenv.report.text import printable

    sys.stderr.write(f"{printable(text)}\n")
    sys.stderr.flush()


__all__ = [
    "PlainConsole",
    "Printer",
    "human_size",
    "one_line",
    "plain_output",
    "print_error",
    "print_notice",
    "stderr_console",
    "stdout_console",
    "table_width",
    "terminal_console",
    "write_lines",
]
