"""Plumbing into an existing environment: find its interpreter, run llmenv's payload scripts in it, read their JSON.

Kept apart from the checks so that both `verify` and the smoke runner can reach into an env without the judgements.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from llmenv.paths import env_python
from llmenv.process import ProcResult, run, spawn_detached

IMPORT_TIMEOUT = 180.0
GPU_TIMEOUT = 180.0
# Checked when no profile names the imports: the frameworks llmenv knows, if installed.
KNOWN_MODULES = {
    "torch": "torch",
    "tensorflow": "tensorflow",
    "tensorflow-cpu": "tensorflow",
    "transformers": "transformers",
    "keras": "keras",
    "numpy": "numpy",
    "jax": "jax",
}


@dataclass(frozen=True)
class ImportResult:
    module: str
    ok: bool
    version: str | None
    seconds: float
    error: str | None


def split_import(check: str) -> tuple[str, str | None]:
    """(module, name) of a profile's import check: `from transformers import BertForSequenceClassification` gives
    ('transformers', 'BertForSequenceClassification'); a plain module name gives (name, None)."""
    words = check.split()
    if len(words) == 4 and words[0] == "from" and words[2] == "import":
        return words[1], words[3]
    return check, None


def payload(name: str) -> str:
    return str(resources.files("llmenv.verify.payloads").joinpath(name))


def read_json(result: ProcResult) -> dict[str, Any] | None:
    lines = result.stdout.strip().splitlines()
    if not lines:
        return None
    from llmenv.door.jsondoc import answer

    value = answer(lines[-1], "the environment's answer")  # the door: bounded depth, no NaN, never a crash
    return value if isinstance(value, dict) else None


def inspect(python: Path) -> tuple[dict[str, Any] | None, ProcResult]:
    result = run([str(python), "-I", payload("inspect_env.py")], timeout=60.0)
    return (read_json(result) if result.ok else None), result


def check_import(
    python: Path, module: str, timeout: float = IMPORT_TIMEOUT, write_bytecode: bool = True
) -> ImportResult:
    """`-I` writes bytecode even where PYTHONDONTWRITEBYTECODE is set; `-B` on top keeps the check from paying
    for compiling (0.8 s for torch), for when that is left to `warm_bytecode`."""
    flags = ["-I"] if write_bytecode else ["-I", "-B"]
    result = run([str(python), *flags, payload("import_check.py"), module], timeout=timeout)
    data = read_json(result)
    if data is None:
        return ImportResult(module, False, None, result.seconds, result.describe_failure())
    return ImportResult(module, bool(data["ok"]), data.get("version"), float(data["seconds"]), data.get("error"))


# Where would `import NAME` come from? find_spec imports nothing of a top-level NAME (a dotted name's parents it
# would import, possibly from the working folder: callers pass top-level names only).
# Run with `-c`, as the user's `python -c "import torch"` is: sys.path[0] is then the working folder, as in a REPL.
LOCATE = r"""
import importlib, importlib.util, json, os, site, sys
# llmenv's process runner drops PYTHONPATH from every child; it is put back where Python's startup puts it.
extra = [os.path.abspath(p) for p in os.environ.get("LLMENV_USER_PYTHONPATH", "").split(os.pathsep) if p]
if extra and not sys.flags.isolated:
    sys.path[1:1] = extra
    importlib.invalidate_caches()
mods = {}
for name in sys.argv[1:]:
    if "." in name:
        continue
    try:
        spec = importlib.util.find_spec(name)
    except Exception as exc:
        mods[name] = {"origin": None, "error": "%s: %s" % (type(exc).__name__, exc)}
        continue
    origin = None
    if spec is not None:
        origin = spec.origin if spec.origin not in (None, "namespace", "built-in", "frozen") else None
        if origin is None and spec.submodule_search_locations:
            origin = list(spec.submodule_search_locations)[0]
    mods[name] = {"origin": origin}
user = site.getusersitepackages() if site.ENABLE_USER_SITE else None
pth = []
for folder in list(site.getsitepackages()) + ([user] if user else []):
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".pth"))
    except OSError:
        continue
    for n in names:
        try:
            with open(os.path.join(folder, n), encoding="utf-8", errors="replace") as f:
                lines = [x.strip() for x in f if x.strip() and not x.startswith(("#", "import ", "import\t"))]
        except OSError:
            continue
        pth.append([os.path.join(folder, n), [os.path.normpath(os.path.join(folder, x)) for x in lines]])
sys.stdout.write(json.dumps({"path": sys.path, "cwd": os.getcwd(), "user_site": user, "pth": pth, "modules": mods}))
"""


def locate_modules(python: Path, modules: list[str], isolated: bool) -> dict[str, Any] | None:
    """Where each module would be imported from: isolated (`-I`, the env's own view) or in the user's context
    (this working folder, PYTHONPATH, the user site and .pth files all apply)."""
    flags = ["-I"] if isolated else []
    env = dict(os.environ) | {"LLMENV_USER_PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    result = run([str(python), *flags, "-c", LOCATE, *modules], timeout=60.0, cwd=os.getcwd(), env=env)
    return read_json(result) if result.ok else None


def warm_bytecode(python: Path, modules: list[str]) -> None:
    """Import `modules` in a detached, low-priority process that writes their bytecode, so the env's next import is
    fast without the command that built it waiting for the compile."""
    if modules:
        spawn_detached([str(python), "-I", payload("warm_imports.py"), *modules], low_priority=True)


__all__ = [
    "GPU_TIMEOUT",
    "IMPORT_TIMEOUT",
    "KNOWN_MODULES",
    "ImportResult",
    "check_import",
    "env_python",
    "inspect",
    "locate_modules",
    "payload",
    "read_json",
    "split_import",
    "warm_bytecode",
]
