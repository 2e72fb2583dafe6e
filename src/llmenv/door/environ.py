"""Environment values from outside (`LLMENV_*` and the like): UTF-8 text of sane length, or a usage error.

On POSIX an environment value is bytes; Python decodes bytes that are not UTF-8 into lone surrogates, which then
fail far away (writing a stamp, printing a path) as a UnicodeEncodeError and exit 70. They are refused here, where
the variable's name is still known.
"""

from __future__ import annotations

import os
from pathlib import Path

from llmenv.errors import InputError

MAX_VALUE = 4096  # a path or a version; PATH-like lists are not read through here


def _surrogate(text: str) -> int:
    return next((i for i, c in enumerate(text) if "\ud800" <= c <= "\udfff"), -1)


def env_text(name: str, fix: str | None = None) -> str | None:
    """The variable's value; None when unset or empty (an empty override means "no override")."""
    value = os.environ.get(name)
    if not value:
        return None
    remedy = fix or f"set {name} to plain UTF-8 text, or unset it"
    if _surrogate(value) >= 0:
        raise InputError(
            f"the value is not UTF-8 text (character {_surrogate(value)} is a byte that is not)",
            file=name,
            fix=remedy,
        )
    if len(value) > MAX_VALUE:
        raise InputError(f"the value is {len(value):,} characters long (at most {MAX_VALUE:,})", file=name, fix=remedy)
    if "\n" in value or "\r" in value:
        raise InputError("the value holds a line break", file=name, fix=remedy)
    return value


def env_path(name: str) -> Path | None:
    """A folder or file named by an environment variable, e.g. LLMENV_CACHE_DIR."""
    value = env_text(name, f"set {name} to a path of plain UTF-8 characters, or unset it")
    return Path(value) if value is not None else None


def path_text(path: Path | str, where: str) -> str:
    """A path given on the command line that must be written somewhere as UTF-8 (a stamp, a log, a report)."""
    text = str(path)
    index = _surrogate(text)
    if index >= 0:
        raise InputError(
            f"the value is not UTF-8 text (the byte at character {index} is not)",
            file=where,
            fix="use a value (a path: names) in UTF-8; rename the file or folder, or choose another",
        )
    return text


__all__ = ["MAX_VALUE", "env_path", "env_text", "path_text"]
