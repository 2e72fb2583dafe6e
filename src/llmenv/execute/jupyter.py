"""Register the env's Jupyter kernel: write its kernel.json into the Jupyter data folder (plan/jupyter.py decides
what it says). Written whole through a temporary file and a rename, so Jupyter never reads half a spec."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

from llmenv.plan.jupyter import SPEC_FILE, data_dir, kernel_name, kernel_spec


def register_kernel(env: Path, profile: str, python_version: str) -> Path:
    """Write (or rewrite) the env's kernel spec; returns its kernel.json."""
    system = platform.system()
    folder = data_dir(os.environ, system, Path.home()) / "kernels" / kernel_name(env)
    folder.mkdir(parents=True, exist_ok=True)
    spec = folder / SPEC_FILE
    partial = folder / f".{SPEC_FILE}.tmp"
    partial.write_text(json.dumps(kernel_spec(env, profile, python_version, system), indent=1) + "\n", "utf-8")
    os.replace(partial, spec)
    return spec


__all__ = ["register_kernel"]
