"""Writing an export's build context: llmenv's own wheel and the user's profile, beside the exported file."""

from __future__ import annotations

from pathlib import Path

from llmenv.export.context import Placement


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_context(placement: Placement) -> list[Path]:
    from llmenv.errors import UsageError
    from llmenv.execute.selfwheel import write_self_wheel

    written: list[Path] = []
    if placement.wheel_path:
        wheel = placement.context / placement.wheel_path
        written.append(write_self_wheel(wheel.parent))
    if placement.copy_profile is not None and placement.profile_path:
        target = placement.context / placement.profile_path
        data = placement.copy_profile.read_bytes()
        if target.exists() and target.read_bytes() != data:
            raise UsageError(
                f"{target} exists and differs from the profile {placement.copy_profile}",
                where="--output",
                fix=f"write the export where the profile lies, e.g. -o {placement.copy_profile.parent / 'Dockerfile'}",
            )
        target.write_bytes(data)
        written.append(target)
    return written


__all__ = ["write_context", "write_text"]
