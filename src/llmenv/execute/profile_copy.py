"""The env's own copy of the profile it was built from, kept inside the generation beside its stamp.

A profile can come from a place that does not last: a bundle's profile lives in the folder llmenv unpacked into
its cache, and clearing the cache (or the next llmenv version's) must not leave `doctor --env`, `smoke` or a printed
fix pointing at a file that is gone. So every generation keeps the exact file it was built from; the stamp names
that copy whenever the original is llmenv's own unpacked bundle, and the user's own profile file otherwise (so an
edit to it is still what `doctor --env` judges), with the copy as the fallback once that file is gone.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from llmenv.execute.bundle_scratch import MARKER as BUNDLE_MARKER
from llmenv.execute.privacy import strip_others_write

PROFILE_COPY = "llmenv-profile.yaml"


def from_unpacked_bundle(source: Path) -> bool:
    """Whether a profile file lies inside a folder llmenv unpacked a bundle into (its marker is there)."""
    return any((folder / BUNDLE_MARKER).is_file() for folder in source.parents)


def keep_profile(gen: Path, source: str) -> str:
    """Copy the profile file into the generation; return what the stamp should name as the profile's source:
    the copy for a profile from an unpacked bundle, else the original. A built-in given by name has a source in
    llmenv's installed package; it is copied too (what the env was built from), and named as before."""
    if not source or not os.path.isfile(source):
        return source
    copy = gen / PROFILE_COPY
    shutil.copyfile(source, copy)
    strip_others_write(copy)
    return str(copy) if from_unpacked_bundle(Path(source)) else source


def kept_copy(current: Path | None) -> Path | None:
    """The profile copy of the env's current generation, if it has one."""
    if current is None:
        return None
    copy = current / PROFILE_COPY
    return copy if copy.is_file() and not copy.is_symlink() else None


__all__ = ["PROFILE_COPY", "from_unpacked_bundle", "keep_profile", "kept_copy"]
