"""Where an export's files go, decided before anything is written: every path the exported file names (a `COPY`
source, the workflow's profile and llmenv wheel) must exist relative to the folder it is resolved from (the
Docker build context, the repository root a workflow runs in)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from llmenv.execute.selfwheel import wheel_name


@dataclass(frozen=True)
class Placement:
    context: Path  # the folder paths below are relative to
    profile_path: str | None  # POSIX path of the profile in the context; None for a built-in (named instead)
    copy_profile: Path | None  # the user's profile, when it lies outside the context and must be copied in
    wheel_path: str | None  # where llmenv's wheel goes; None when the user named a source


def repository_root(output: Path, cwd: Path) -> Path:
    """A workflow at <root>/.github/workflows/NAME.yml runs in <root>; anywhere else, assume the current folder."""
    if output.parent.name == "workflows" and output.parent.parent.name == ".github":
        return output.parent.parent.parent
    return cwd


def place(format: str, output: Path, profile_source: Path | None, llmenv_spec: str | None, cwd: Path) -> Placement:
    output = output if output.is_absolute() else cwd / output
    if format == "github-actions":
        context = repository_root(output, cwd)
        wheel = f".github/llmenv/{wheel_name()}"
    else:
        context = output.parent
        wheel = wheel_name()
    profile_path, copy = None, None
    if profile_source is not None:
        source = profile_source if profile_source.is_absolute() else cwd / profile_source
        try:
            profile_path = source.resolve().relative_to(context.resolve()).as_posix()
        except ValueError:
            profile_path, copy = source.name, source
    return Placement(context, profile_path, copy, None if llmenv_spec else wheel)


__all__ = ["Placement", "place", "repository_root"]
