"""Register the env's Jupyter kernel: write its kernel.json into the Jupyter data folder (plan/jupyter.py decides
what it says). Written whole through a temporary file and a rename, so Jupyter never reads half a spec."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

from llmenv.paths import open_fresh
from llmenv.plan.jupyter import SPEC_FILE, kernel_spec, spec_path
from llmenv.trust import require_trusted


def register_kernel(env: Path, profile: str, python_version: str) -> Path:
    """Write (or rewrite) the env's kernel spec; returns its kernel.json."""
    system = platform.system()
    spec = spec_path(env, os.environ, system, Path.home())
    folder = spec.parent
    folder.mkdir(parents=True, exist_ok=True)
    # The spec is a command Jupyter runs as this user: a folder another user can write is refused (exit 5), and the
    # scratch name is made new (a link left there is not followed).
    fix = "set JUPYTER_DATA_DIR to a folder only you can write, or unset it for Jupyter's own user folder"
    require_trusted(folder, "the Jupyter kernel folder", directory=True, fix=fix)
    partial = folder / f".{SPEC_FILE}.tmp"
    with open_fresh(partial) as handle:
        handle.write((json.dumps(kernel_spec(env, profile, python_version, system), indent=1) + "\n").encode())
    os.replace(partial, spec)
    return spec


__all__ = ["register_kernel"]
