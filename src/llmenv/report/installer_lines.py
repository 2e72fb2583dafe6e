"""The installer's output as one clean status: what it is doing, to which package, how big.

uv and pip write for their own terminals ("Using Python 3.11.7 environment at: …", progress bars, `+ name==1.0`
lists); shown raw inside llmenv's progress line they read as noise. Lines that say nothing about progress map to
None and are not shown (they are all in the log). Formats: tests/data/installer/ (recorded from real runs)."""

from __future__ import annotations

import re
from collections.abc import Callable

_UNITS = {"KiB": "KiB", "MiB": "MiB", "GiB": "GiB", "kB": "kB", "KB": "kB", "MB": "MB", "GB": "GB"}


def _size(number: str, unit: str) -> str:
    return f"{number} {_UNITS.get(unit, unit)}"


def _count(n: str, word: str) -> str:
    return f"{n} {word}" if n != "1" else f"1 {word.rstrip('s')}"


def _pip_file(token: str) -> str:
    """`https://…/torch-2.13.0%2Bcpu-cp311-….whl` -> `torch`."""
    name = token.rsplit("/", 1)[-1]
    return re.split(r"-\d", name, maxsplit=1)[0]


_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    # uv
    (re.compile(r"^Resolved (\d+) packages?"), lambda m: f"resolved {_count(m[1], 'packages')}"),
    (
        re.compile(r"^Downloading (\S+) \(([\d.]+)\s*([KMGk]i?B)\)"),
        lambda m: f"downloading {m[1]} ({_size(m[2], m[3])})",
    ),
    (re.compile(r"^\s*Downloaded (\S+)$"), lambda m: f"downloaded {m[1]}"),
    (re.compile(r"^Prepared (\d+) packages?"), lambda m: f"prepared {_count(m[1], 'packages')}"),
    (re.compile(r"^Installed (\d+) packages?"), lambda m: f"installed {_count(m[1], 'packages')}"),
    # pip
    (re.compile(r"^Collecting (\S+)"), lambda m: f"resolving {m[1]}"),
    (
        re.compile(r"^\s*Downloading (\S+) \(([\d.]+) ([kKMG]i?B)\)"),
        lambda m: f"downloading {_pip_file(m[1])} ({_size(m[2], m[3])})",
    ),
    (
        re.compile(r"^Installing collected packages: (.+)$"),
        lambda m: f"installing {_count(str(len(m[1].split(','))), 'packages')}",
    ),
    (
        re.compile(r"^Successfully installed (.+)$"),
        lambda m: f"installed {_count(str(len(m[1].split())), 'packages')}",
    ),
]


def installer_status(line: str) -> str | None:
    """A short status for a progress line, or None when the line says nothing about progress."""
    for pattern, status in _RULES:
        match = pattern.match(line)
        if match:
            return status(match)
    return None


__all__ = ["installer_status"]
