"""The commands an env finding's fix gives: whole (profile and --env) and correct when pasted.

"re-run `llmenv setup`" alone, taken literally, builds ./.venv with the default profile; the fix must name the
profile the check judged against and the env it judged, quoted for a POSIX shell (a test runs each one literally).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from llmenv.profiles.model import Profile
from llmenv.profiles.naming import profile_ref


def stamp_profile_ref(stamp: Mapping[str, Any]) -> str | None:
    """The profile an env was built from, as its stamp records it, named as a command line should name it: a
    built-in or user profile by its name (never by the path of llmenv's installed copy), any other by its file."""
    from llmenv.profiles.locate import builtin_dir, user_dir

    name = str(stamp.get("profile") or "")
    source = str(stamp.get("profile_source") or "")
    if not source:
        return name or None
    path = Path(source)
    for folder in (builtin_dir(), user_dir()):
        if name and path.stem == name and os.path.realpath(path.parent) == os.path.realpath(folder):
            return name
    return source


# The choices the env's stamp (or this command's flags) recorded, e.g. ("--mirror", "campus"): every printed setup
# command carries them, so a fix pasted behind the firewall uses the mirror the env was built with.
REMEMBERED: ContextVar[tuple[str, ...]] = ContextVar("llmenv_remembered_flags", default=())


@contextmanager
def remembered_flags(flags: tuple[str, ...]) -> Iterator[None]:
    token = REMEMBERED.set(flags)
    try:
        yield
    finally:
        REMEMBERED.reset(token)


def setup_command(profile: Profile | None, env: Path, *, force: bool = False) -> str:
    """`llmenv setup PROFILE --env ENV [--mirror X] [--force]`, quoted. Without --force, setup repairs an env whose
    packages drifted from its stamp; --force also rebuilds one whose files changed behind its metadata."""
    words = ["llmenv", "setup", profile_ref(profile), "--env", str(env), *REMEMBERED.get()]
    if force:
        words.append("--force")
    return shlex.join(words)


__all__ = ["REMEMBERED", "profile_ref", "remembered_flags", "setup_command", "stamp_profile_ref"]
