"""Whether an env path can hold a store and a venv: checked before anything is created (a name or path too long
for the file system fails half-way otherwise, with ENAMETOOLONG)."""

from __future__ import annotations

import os
from pathlib import Path

from llmenv.errors import UsageError, short_path

NAME_MAX = 255  # bytes per path component on Linux, macOS and Windows file systems
PATH_MAX = 4096  # bytes in a path on Linux (Windows long paths allow more, but the env's own files add to it)
_HEADROOM = 200  # what the venv adds below the env path (lib/pythonX.Y/site-packages/<deep package paths>)


def check_env_path(env: Path) -> None:
    """The store beside the env adds '.llmenv' to the name and the venv adds deep paths below it: refuse a path
    that cannot hold them before anything is created, instead of failing half-way with ENAMETOOLONG."""
    longest = max((len(os.fsencode(part)) for part in env.parts), default=0)
    store_name = len(os.fsencode(env.name + ".llmenv"))
    if store_name > NAME_MAX or longest > NAME_MAX:
        raise UsageError(
            f"the environment name is too long ({max(store_name, longest)} bytes; a file name may have at most "
            f"{NAME_MAX}, and llmenv adds '.llmenv' for the store): {short_path(env)}",
            where="--env",
            fix="choose a shorter name for --env",
        )
    total = len(os.fsencode(str(env))) + len("/.llmenv/gen-99999") + _HEADROOM
    if total > PATH_MAX:
        raise UsageError(
            f"the environment path is too long ({len(os.fsencode(str(env)))} bytes; with the files a venv puts "
            f"under it, paths would pass the system limit of {PATH_MAX}): {short_path(env)}",
            where="--env",
            fix="choose a shorter path for --env",
        )


__all__ = ["NAME_MAX", "PATH_MAX", "check_env_path"]
