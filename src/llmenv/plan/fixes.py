"""Fix texts that decisions in plan/ give and verify/ repeats: defined here so plan/ never imports verify/."""

from __future__ import annotations


def install_python_fix(os_name: str, version: str) -> str:
    """How to get a Python on this OS; uv ships with llmenv, so it is always an option."""
    by_os = {
        "Windows": f"`py install {version}` (Python install manager) or `winget install Python.Python.{version}`",
        "Darwin": f"`brew install python@{version}`",
        "Linux": f"`pyenv install {version}` or your distribution's python{version} package",
    }
    return f"`uv python install {version}` (uv comes with llmenv), or {by_os.get(os_name, by_os['Linux'])}"


__all__ = ["install_python_fix"]
