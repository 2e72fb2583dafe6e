"""The one way to find the uv that ships with llmenv (the `uv` wheel is a dependency).

`find_uv()` answers None when it is missing (a check may then say so); `uv_binary()` is for code that runs uv
and cannot go on without it, and raises HostError (exit 3) naming the fix."""

from __future__ import annotations


def find_uv() -> str | None:
    try:
        from uv import find_uv_bin
    except ImportError:
        return None
    try:
        return str(find_uv_bin())
    except FileNotFoundError:
        return None


def uv_binary() -> str:
    found = find_uv()
    if found is None:
        from llmenv.errors import HostError

        raise HostError(
            "the uv that llmenv installs with is missing (its `uv` package is not importable or has no binary)",
            fix="reinstall llmenv (`pip install --force-reinstall llmenv`), or use --backend pip",
        )
    return found


__all__ = ["find_uv", "uv_binary"]
