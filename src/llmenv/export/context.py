"""Where an export's files go, decided before anything is written: every path the exported file names (a `COPY`
source, the workflow's profile and llmenv wheel) must exist relative to the folder it is resolved from (the
Docker build context, the repository root a workflow runs in).

A profile that `extends` a parent by a relative path only loads where that parent lies at the same relative place,
so the whole chain of the user's profile files travels together, keeping its layout."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from llmenv.execute.selfwheel import wheel_name


@dataclass(frozen=True)
class Placement:
    context: Path  # the folder paths below are relative to
    # POSIX paths in the context of the user's profile files of the extends chain, the profile first; () for a
    # built-in profile (named instead).
    profile_files: tuple[str, ...]
    # (the user's file, its path in the context) for chain files that lie outside the context and must be copied in
    copies: tuple[tuple[Path, str], ...]
    wheel_path: str | None  # where llmenv's wheel goes; None when the user named a source

    @property
    def profile_path(self) -> str | None:
        return self.profile_files[0] if self.profile_files else None


def repository_root(output: Path, cwd: Path) -> Path:
    """A workflow at <root>/.github/workflows/NAME.yml runs in <root>; anywhere else, assume the current folder."""
    if output.parent.name == "workflows" and output.parent.parent.name == ".github":
        return output.parent.parent.parent
    return cwd


def check_chain(links: Sequence[tuple[Path, str | None]]) -> None:
    """Refuse, before anything is written, a chain whose links cannot hold once copied: an absolute `extends` (no
    such path in an image or on a runner), or a parent named by name but found away from its child (in the image a
    name is looked up beside the profile, or among the built-ins). `links` is (file, its `extends`) for each of the
    user's files, the profile first; the last one's parent, if any, is a built-in."""
    from llmenv.errors import UsageError
    from llmenv.profiles.locate import looks_like_path

    for (path, ref), (parent, _) in pairwise(links):
        if ref is None:
            continue
        relative = os.path.relpath(os.path.abspath(parent), os.path.abspath(path.parent))
        if Path(ref).is_absolute():
            problem = f"'extends' names the absolute path {ref}, which exists neither in the image nor on a CI runner"
        elif not looks_like_path(ref) and os.path.abspath(parent.parent) != os.path.abspath(path.parent):
            problem = (
                f"'extends' names '{ref}', found at {parent}, away from the profile: in the image a name is looked "
                "up beside the profile (or among the built-ins)"
            )
        else:
            continue
        raise UsageError(
            f"{problem}, so the export would not load",
            where=str(path),
            fix=f"write the parent's path relative to the profile, extends: {Path(relative).as_posix()}, and export again",
        )


def place(format: str, output: Path, profile_files: Sequence[Path], llmenv_spec: str | None, cwd: Path) -> Placement:
    """Chain files all inside the context are named where they are; otherwise every one is copied in, at its path
    relative to the folder that holds them all, so `extends: base.yaml` or `../base.yaml` still finds its parent."""
    output = output if output.is_absolute() else cwd / output
    if format == "github-actions":
        context = repository_root(output, cwd)
        wheel = f".github/llmenv/{wheel_name()}"
    else:
        context = output.parent
        wheel = wheel_name()
    spec_wheel = None if llmenv_spec else wheel
    if not profile_files:
        return Placement(context, (), (), spec_wheel)
    sources = [Path(os.path.abspath(p if p.is_absolute() else cwd / p)) for p in profile_files]
    base = Path(os.path.abspath(context))
    try:
        inside = tuple(s.relative_to(base).as_posix() for s in sources)
        return Placement(context, inside, (), spec_wheel)
    except ValueError:
        pass
    root = Path(os.path.commonpath([s.parent for s in sources]))
    targets = tuple(s.relative_to(root).as_posix() for s in sources)
    return Placement(context, targets, tuple(zip(sources, targets, strict=True)), spec_wheel)


__all__ = ["Placement", "check_chain", "place", "repository_root"]
