"""User text made safe for a terminal: control characters are shown escaped, never sent.

A profile's description, a key name or a path can carry `ESC ] 0 ; ... BEL` (retitle the window), `ESC [ 2 J`
(clear the screen), C1 controls or bidi overrides that reorder what the reader sees. rich strips only a few of
them, so everything printed from user data goes through `printable` first, as `\\x1b` style escapes."""

from __future__ import annotations

import re
from typing import Any

# C0 and C1 controls, DEL, and the Unicode format characters that reorder or hide text (bidi embeddings,
# overrides and isolates, zero-width marks).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_UNSAFE_KEEP_LINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """`text` with every control or reordering character written as an escape (`\\x1b`, `\\u202e`)."""
    return (_UNSAFE_KEEP_LINES if keep_newlines else _UNSAFE).sub(_escape, text)


def printable_data(value: Any) -> Any:
    """`printable` applied to every string (keys included) of a JSON-like value before it is rendered."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable(str(k)): printable_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [printable_data(v) for v in value]
    return value


def plural(count: int, word: str) -> str:
    """'1 epoch', '5 epochs': a count with its noun in the right number."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


__all__ = ["plural", "printable", "printable_data"]
