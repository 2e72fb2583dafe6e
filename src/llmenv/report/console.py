"""One place that decides how text reaches the terminal.

Data goes to stdout, chatter and errors to stderr. Foreign text (profile values, tool output) is printed with
markup off, so a requirement like `tensorflow[and-cuda]` is never read as rich markup.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def plain_output() -> bool:
    """No colours or live widgets when piped, in CI, or when the user asks (NO_COLOR); FORCE_COLOR wins (the
    script that renders the README's terminal pictures uses it)."""
    if os.environ.get("FORCE_COLOR"):
        return False
    return bool(os.environ.get("NO_COLOR") or os.environ.get("CI")) or not sys.stdout.isatty()


def _safe_console(**options: Any) -> Console:
    """A rich Console whose `print` escapes control characters in plain strings (see report/text.py): every line
    the reports build from user data (descriptions, paths, evidence) passes through it."""
    from rich.console import Console

    from llmenv.report.text import printable

    class SafeConsole(Console):
        def print(self, *objects: Any, **kwargs: Any) -> None:
            super().print(*(printable(o, keep_newlines=True) if isinstance(o, str) else o for o in objects), **kwargs)

    return SafeConsole(**options)


def stdout_console() -> Console:
    return _safe_console(markup=False, highlight=False, emoji=False, no_color=plain_output(), soft_wrap=False)


def stderr_console() -> Console:
    return _safe_console(stderr=True, markup=False, highlight=False, emoji=False, no_color=plain_output())


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


__all__ = ["plain_output", "print_error", "print_notice", "stderr_console", "stdout_console"]
