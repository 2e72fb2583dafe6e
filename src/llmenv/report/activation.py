"""How to use an env from the user's shell: the activation line for bash/zsh, fish, PowerShell or cmd, quoted for
that shell (a path may hold spaces, quotes or even a newline), and the commands to run next.

Pure: the shell is detected from the environment passed in, so it is tested for every shell on any OS."""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import PurePath, PurePosixPath, PureWindowsPath

SHELLS = ("bash", "zsh", "fish", "powershell", "cmd")


def detect_shell(environ: Mapping[str, str], windows: bool) -> str:
    """$SHELL names the login shell on POSIX; on Windows PowerShell is the default terminal's shell."""
    if windows:
        return "cmd" if environ.get("PROMPT") and not environ.get("PSModulePath") else "powershell"
    name = os.path.basename(environ.get("SHELL", ""))
    return name if name in ("zsh", "fish") else "bash"


def quote(text: str, shell: str) -> str:
    if shell == "fish":  # fish's single quotes escape only \ and '
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if shell == "powershell":
        return "'" + text.replace("'", "''") + "'"
    if shell == "cmd":  # Windows paths cannot contain '"'
        return f'"{text}"'
    return shlex.quote(text)


def display_path(env: PurePath, cwd: PurePath) -> str:
    """The env as the user would type it: relative when it is inside the working folder."""
    try:
        relative = env.relative_to(cwd)
    except ValueError:
        return str(env)
    return str(relative) if str(relative) != "." else str(env)


def activate_line(env: str, shell: str) -> str:
    if shell == "powershell":
        return "& " + quote(str(PureWindowsPath(env, "Scripts", "Activate.ps1")), shell)
    if shell == "cmd":
        return quote(str(PureWindowsPath(env, "Scripts", "activate.bat")), shell)
    script = "activate.fish" if shell == "fish" else "activate"
    return "source " + quote(str(PurePosixPath(env, "bin", script)), shell)


def python_path(env: str, shell: str) -> str:
    if shell in ("powershell", "cmd"):
        path = quote(str(PureWindowsPath(env, "Scripts", "python.exe")), shell)
        return f"& {path}" if shell == "powershell" else path
    return quote(str(PurePosixPath(env, "bin", "python")), shell)


def usage_lines(env: str, shell: str, smoke_ran: bool) -> list[str]:
    """What setup prints last: activate, or run the env's Python directly; then the next commands."""
    env_arg = quote(env, shell)
    others = ", ".join(
        s for s in ("bash", "fish", "powershell", "cmd") if s != shell and not (shell == "zsh" and s == "bash")
    )
    lines = [
        f"use it ({shell}): {activate_line(env, shell)}",
        f"  or without activating: {python_path(env, shell)} your_script.py",
        f"  other shells ({others}): add --shell NAME to this command",
        f"next: llmenv doctor --env {env_arg}    (checks the env and this machine)",
    ]
    if not smoke_ran:
        lines.append(f"      llmenv smoke --env {env_arg}     (trains the IMDB model in it)")
    return lines


__all__ = ["SHELLS", "activate_line", "detect_shell", "display_path", "python_path", "quote", "usage_lines"]
