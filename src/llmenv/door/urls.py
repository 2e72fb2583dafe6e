"""URLs from outside (mirrors.yaml, pip configuration, `--mirror`): host names must be ASCII.

An index URL whose host holds a look-alike letter (Cyrillic `і` in `pypі.org`) would reach Python's HTTP client,
which fails with "'latin-1' codec can't encode character ... ordinal not in range(256)": true but useless. The
host is judged here, and the message says which character, where, and that it may be a homoglyph.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def host_problem(url: str) -> str | None:
    """Why the URL's host cannot be used, or None. A real international name is written in punycode (xn--)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return "its host or port cannot be read"
    for index, char in enumerate(host):
        if ord(char) > 127 or ord(char) < 33:
            return (
                f"its host name holds the character U+{ord(char):04X} at position {index + 1}, which is not ASCII "
                "(a look-alike of a Latin letter?); write the host in ASCII, or in punycode (xn--...) for an "
                "international name"
            )
    return None


__all__ = ["host_problem"]
