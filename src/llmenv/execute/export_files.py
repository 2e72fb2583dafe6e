"""Writing an export's build context: llmenv's own wheel and the user's profile files (its whole extends chain),
beside the exported file."""

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
    for source, relative in placement.copies:
        target = placement.context / relative
        data = source.read_bytes()
        if target.exists() and target.read_bytes() != data:
            raise UsageError(
                f"{target} exists and differs from the profile {source}",
                where="--output",
                fix=f"write the export where the profile lies, e.g. -o {placement.copies[0][0].parent / 'Dockerfile'}",
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written


__all__ = ["write_context", "write_text"]
