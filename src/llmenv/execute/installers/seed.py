"""The pip wheel virtualenv bundles, found without importing virtualenv.

Every uv build seeds pip from virtualenv's bundled wheel (no index needed). Importing
`virtualenv.seed.wheels.embed` imports virtualenv's whole CLI first (25 ms, a tenth of setup's start), for two
dictionaries: the wheel per Python version and each wheel's SHA-256. Both are literals in that module's source, so
they are read from it as data (`ast.literal_eval`, never executed). When the source no longer has that shape, the
import is the fallback: slower, never wrong. A test checks both routes give the same wheel for every version.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from typing import Any, TypeGuard

from llmenv.digest import sha256_of
from llmenv.errors import HostError


def _reinstall() -> str:
    """A damaged virtualenv in llmenv's own environment is the host's state, not a bug: reinstall it there."""
    return f"reinstall it: `{sys.executable} -m pip install --force-reinstall virtualenv`"


def bundled_wheel(distribution: str, minor: str) -> Path | None:
    """The wheel virtualenv would seed into a Python `minor` env (virtualenv's `get_embed_wheel`), or None."""
    tables = _tables()
    if tables is None:
        return _imported(distribution, minor)
    folder, support, digests = tables
    if _release(minor) > max(_release(v) for v in support):
        mapping = support[max(support, key=_release)]  # newer than any bundle: the newest one, as virtualenv does
    else:
        mapping = support.get(minor, {})
    name = mapping.get(distribution)
    if name is None:
        return None
    path = folder / name
    expected = digests.get(name)
    if expected is not None:
        try:
            actual = sha256_of(path)
        except OSError as exc:
            raise HostError(f"virtualenv's bundled {name} cannot be read: {exc}", fix=_reinstall()) from exc
        if actual != expected:
            raise HostError(f"virtualenv's bundled {path} fails its SHA-256 check", fix=_reinstall())
    return path


def _tables() -> tuple[Path, dict[str, dict[str, str]], dict[str, str]] | None:
    spec = importlib.util.find_spec("virtualenv")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "seed" / "wheels" / "embed"
    try:
        tree = ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None
    found: dict[str, Any] = {}
    for node in tree.body:
        target: ast.expr | None = None
        if isinstance(node, ast.AnnAssign):
            target = node.target
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and target.id in ("BUNDLE_SUPPORT", "BUNDLE_SHA256") and value is not None:
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError:
                return None
    support = found.get("BUNDLE_SUPPORT")
    digests = found.get("BUNDLE_SHA256", {})
    if not (_is_table(support) and _is_table(digests)) or not all(_is_table(v) for v in support.values()):
        return None
    return folder, support, digests


def _is_table(value: object) -> TypeGuard[dict[str, Any]]:
    return isinstance(value, dict) and all(isinstance(k, str) for k in value)


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _imported(distribution: str, minor: str) -> Path | None:
    from virtualenv.seed.wheels.embed import get_embed_wheel

    wheel = get_embed_wheel(distribution, minor)
    return None if wheel is None else Path(wheel.path)
