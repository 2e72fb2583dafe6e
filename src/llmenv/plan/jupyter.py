"""The env's Jupyter kernel, decided: its name, where its spec lives, and what the spec says (pure).

The kernel's command goes through the env's stable path (`.venv/bin/python`, the link that setup swaps between
generations), never through a generation folder: a new generation or a rollback then keeps the kernel working.
Jupyter and VS Code both read kernel specs from the Jupyter data folder (`JUPYTER_DATA_DIR`, else the platform's
user data folder, as jupyter_core's `jupyter_data_dir()` computes it)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

# ipykernel 7.4.0 resolves with every built-in profile's pins (uv pip compile against PyPI, CPython 3.10-3.13).
IPYKERNEL = "ipykernel==7.4.0"
SPEC_FILE = "kernel.json"


def kernel_name(env: PurePath) -> str:
    """Named after the env (its folder and the project folder above it), with a short hash of the whole path so
    that two projects' `.venv` do not overwrite each other's kernel. Jupyter allows [a-z0-9._-] in kernel names."""
    words = f"{env.parent.name.lstrip('.')}-{env.name.lstrip('.')}".lower()
    slug = re.sub(r"[^a-z0-9._-]+", "-", words).strip("-.") or "env"
    digest = hashlib.sha256(str(env).encode()).hexdigest()[:6]
    return f"llmenv-{slug[:40]}-{digest}"


def data_dir(environ: Mapping[str, str], system: str, home: Path) -> Path:
    """jupyter_core's user data folder: JUPYTER_DATA_DIR, else per platform."""
    if environ.get("JUPYTER_DATA_DIR"):
        return Path(environ["JUPYTER_DATA_DIR"])
    if system == "Darwin":
        return home / "Library" / "Jupyter"
    if system == "Windows":
        appdata = environ.get("APPDATA")
        return Path(appdata) / "jupyter" if appdata else home / ".jupyter" / "data"
    xdg = environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else home / ".local" / "share") / "jupyter"


def spec_path(env: Path, environ: Mapping[str, str], system: str, home: Path) -> Path:
    """Where the env's kernel.json lives."""
    return data_dir(environ, system, home) / "kernels" / kernel_name(env) / SPEC_FILE


def kernel_python(env: PurePath, system: str) -> PurePath:
    """The env's interpreter through its stable path (not the generation it points at today)."""
    return env / "Scripts" / "python.exe" if system == "Windows" else env / "bin" / "python"


def kernel_spec(env: PurePath, profile: str, python_version: str, system: str) -> dict[str, Any]:
    return {
        "argv": [str(kernel_python(env, system)), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Python {python_version} (llmenv {profile}: {env.name})",
        "language": "python",
        "metadata": {"debugger": True, "llmenv": {"env": str(env), "profile": profile}},
    }


__all__ = ["IPYKERNEL", "SPEC_FILE", "data_dir", "kernel_name", "kernel_python", "kernel_spec", "spec_path"]
