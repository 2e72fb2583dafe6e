"""A wheel of the llmenv that is running, for exports to install: llmenv is not on PyPI, so a Dockerfile or CI job
must install the very llmenv the user has. It is rebuilt from the imported package (which works the same for a
wheel install and for an editable source checkout) and the installed distribution's metadata (so the
dependencies are the real ones). The zip is deterministic: exporting twice gives the same bytes, so a committed
wheel changes only when llmenv does."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from importlib import metadata, resources
from pathlib import Path

from llmenv import __version__
from llmenv.paths import open_fresh

EPOCH = (1980, 1, 1, 0, 0, 0)
WHEEL_META = "Wheel-Version: 1.0\nGenerator: llmenv export\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
ENTRY_POINTS = "[console_scripts]\nllmenv = llmenv.__main__:run\n"


def wheel_name() -> str:
    return f"llmenv-{__version__}-py3-none-any.whl"


def _members() -> list[tuple[str, bytes]]:
    from llmenv.profiles.locate import builtin_dir

    package = Path(str(resources.files("llmenv")))
    members: list[tuple[str, bytes]] = []
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            members.append((f"llmenv/{path.relative_to(package).as_posix()}", path.read_bytes()))
    if not (package / "builtin_profiles").is_dir():  # a source checkout keeps them at the repository's top
        for path in sorted(builtin_dir().glob("*.y*ml")):
            members.append((f"llmenv/builtin_profiles/{path.name}", path.read_bytes()))
    dist = metadata.distribution("llmenv")
    info = f"llmenv-{__version__}.dist-info"
    members.append((f"{info}/METADATA", (dist.read_text("METADATA") or "").encode()))
    members.append((f"{info}/WHEEL", WHEEL_META.encode()))
    members.append((f"{info}/entry_points.txt", (dist.read_text("entry_points.txt") or ENTRY_POINTS).encode()))
    return members


def _record(members: list[tuple[str, bytes]], record_name: str) -> bytes:
    lines = []
    for name, data in members:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        lines.append(f"{name},sha256={digest},{len(data)}")
    lines.append(f"{record_name},,")
    return ("\n".join(lines) + "\n").encode()


def write_self_wheel(folder: Path) -> Path:
    """Write the wheel into `folder` (created if missing) and return its path."""
    members = _members()
    record_name = f"llmenv-{__version__}.dist-info/RECORD"
    members.append((record_name, _record(members, record_name)))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / wheel_name()
    partial = target.with_name(target.name + ".part")
    with open_fresh(partial) as raw, zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    partial.replace(target)
    return target


__all__ = ["wheel_name", "write_self_wheel"]
