"""Explicit modes for what llmenv creates: group/other write is taken off, so a umask of 002 (or 000) cannot open
a store or an env to other users. Judging who may have written a path is llmenv.trust's."""

from __future__ import annotations

import os
from pathlib import Path


def strip_others_write(path: Path) -> bool:
    """Remove group and other write from something llmenv just created (a umask such as 002 leaves them); whether
    it had any."""
    import stat

    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISLNK(info.st_mode) and info.st_mode & 0o022:
        os.chmod(path, stat.S_IMODE(info.st_mode) & ~0o022)
        return True
    return False


def strip_tree(root: Path) -> int:
    """Take group and other write off everything under `root` (links left alone): an env's files get explicit
    modes whatever the umask the installers ran under. Returns how many were changed."""
    changed = 0
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            changed += strip_others_write(Path(folder, name))
    strip_others_write(root)
    return changed


__all__ = ["strip_others_write", "strip_tree"]
