"""The user's Python, not only the isolated one: where `import NAME` resolves in the user's shell.

The import checks run isolated (`-I`), so they judge the env itself. The user then runs `python -c "import torch"`
from a working folder, with PYTHONPATH, a user site and .pth files: a `./torch` package (a PyTorch source checkout)
or another torch on PYTHONPATH wins over the env's, and the import fails or loads the wrong build. Each module the
checks imported is located both ways; a different answer is reported with the path that shadows the env's copy.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from llmenv.verify.env.plumbing import locate_modules
from llmenv.verify.model import Finding, fail, ok


def user_context_findings(python: Path, modules: list[str]) -> list[Finding]:
    if not modules:
        return []
    isolated = locate_modules(python, modules, isolated=True)
    user = locate_modules(python, modules, isolated=False)
    if isolated is None or user is None:
        return []  # the isolated import checks already report an env that does not run
    out = []
    for name in modules:
        own = (isolated["modules"].get(name) or {}).get("origin")
        seen = (user["modules"].get(name) or {}).get("origin")
        if not seen or not own or _same(own, seen):
            continue
        source, fix = classify(seen, user, isolated["path"])
        out.append(
            fail(
                f"env.user-context.{name}",
                "env",
                f"in this shell, `import {name}` loads {seen} ({source}), not the environment's own copy",
                f"the env's {name} is {own}; your `{python} -c 'import {name}'` from {user['cwd']} takes {seen}",
                fix,
            )
        )
    if not out:
        checked = ", ".join(modules)
        return [
            ok(
                "env.user-context",
                "env",
                "your shell imports the environment's own copies",
                f"{checked} resolve to the env from {os.getcwd()} with this PYTHONPATH",
            )
        ]
    return out


def classify(origin: str, user: dict[str, Any], isolated_path: list[str]) -> tuple[str, str]:
    """(where the shadowing copy comes from, how to stop it) for a module found at `origin`."""
    entry = _entry_for(origin, user["path"], user["cwd"])
    cwd = user["cwd"]
    pythonpath = [os.path.normpath(p or cwd) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    top = _top_level(origin, entry, cwd)
    if entry is None:
        return "outside sys.path", "run `python -c 'import sys; print(sys.path)'` to see where it comes from"
    if entry == "" or _same(entry, cwd):
        return (
            "the working folder",
            f"run Python from another folder, or rename {top} (the working folder comes first on sys.path)",
        )
    if any(_same(entry, p) for p in pythonpath):
        return (
            f"PYTHONPATH entry {entry}",
            f"remove {entry} from PYTHONPATH (`unset PYTHONPATH` if nothing else needs it)",
        )
    if user.get("user_site") and _same(entry, user["user_site"]):
        return (
            f"the user site {entry}",
            f"uninstall it from the user site (`python3 -m pip uninstall --user {os.path.basename(top)}` outside "
            "the env), or set PYTHONNOUSERSITE=1",
        )
    for pth, lines in user.get("pth") or []:
        if any(_same(entry, line) for line in lines):
            return f"{entry}, added by {pth}", f"remove {pth} (or the line {entry} in it)"
    if not any(_same(entry, p) for p in isolated_path if p):
        return f"{entry}, on sys.path only outside isolated mode", "check PYTHONPATH, PYTHONHOME and sitecustomize"
    return f"sys.path entry {entry}", "check PYTHONPATH and .pth files"


def _entry_for(origin: str, path: list[str], cwd: str) -> str | None:
    """The sys.path entry a module was found under: the longest one containing it."""
    best, best_len = None, -1
    target = os.path.realpath(origin)
    for entry in path:
        folder = os.path.realpath(entry or cwd)
        if target.startswith(folder.rstrip(os.sep) + os.sep) and len(folder) > best_len:
            best, best_len = entry, len(folder)
    return best


def _top_level(origin: str, entry: str | None, cwd: str) -> str:
    if entry is None:
        return origin
    base = os.path.realpath(entry or cwd)
    rest = os.path.relpath(os.path.realpath(origin), base).split(os.sep)[0]
    return os.path.join(entry or ".", rest)


def _same(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


__all__ = ["classify", "user_context_findings"]
