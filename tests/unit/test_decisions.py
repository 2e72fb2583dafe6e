"""Decisions are made in one place: only the plan maker (plan/make.py) calls a decision function, whatever name
it was imported under (issue 17 item 8). A second call site is how copies of a decision came to disagree."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

SRC = Path(__file__).resolve().parents[2] / "src" / "llmenv"
PLAN_MAKER = SRC / "plan" / "make.py"


def decision_functions() -> dict[int, str]:
    """id(function) -> its name: the accelerator resolver, the managed CPython, the interpreter and the mirror
    choice."""
    from llmenv.mirrors.decide import choose_mirrors
    from llmenv.plan.accelerators import resolve
    from llmenv.plan.managed import managed_python
    from llmenv.plan.python import choose_interpreter

    found: list[Callable[..., Any]] = [resolve, managed_python, choose_mirrors, choose_interpreter]
    return {id(f): f"{f.__module__}.{f.__name__}" for f in found}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def calls_to_decisions(source: str, package: str) -> list[str]:
    """Calls, anywhere in `source` (in functions too), of a decision function bound by an import: `from M import
    f as g; g()`, `import M as m; m.f()`, `from llmenv.plan import accelerators; accelerators.resolve()`."""
    decisions = decision_functions()
    tree = ast.parse(source)
    names: dict[str, str] = {}  # local name -> decision
    modules: dict[str, Any] = {}  # local name -> module object
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            base = importlib.util.resolve_name("." * node.level + node.module, package) if node.level else node.module
            if not base.startswith("llmenv"):
                continue
            module = importlib.import_module(base)
            for alias in node.names:
                value = getattr(module, alias.name, None)
                if value is None:
                    try:
                        value = importlib.import_module(f"{base}.{alias.name}")
                    except ImportError:
                        continue
                local = alias.asname or alias.name
                if id(value) in decisions:
                    names[local] = decisions[id(value)]
                elif isinstance(value, type(importlib)):
                    modules[local] = value
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("llmenv"):
                    module = importlib.import_module(alias.name)
                    modules[alias.asname or alias.name.split(".")[0]] = module if alias.asname else None
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id in names:
            found.append(f"line {node.lineno}: {names[node.func.id]}")
        elif isinstance(node.func, ast.Attribute):
            owner = _dotted(node.func.value)
            module = _module_of(owner, modules)
            value = getattr(module, node.func.attr, None) if module is not None else None
            if value is not None and id(value) in decisions:
                found.append(f"line {node.lineno}: {decisions[id(value)]}")
    return found


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def _module_of(owner: str | None, modules: dict[str, Any]) -> Any:
    if owner is None:
        return None
    head, _, rest = owner.partition(".")
    if head in modules and modules[head] is not None:
        module = modules[head]
        for part in rest.split(".") if rest else []:
            module = getattr(module, part, None)
        return module
    if head == "llmenv":  # `import llmenv.plan.accelerators` then `llmenv.plan.accelerators.resolve(...)`
        try:
            return importlib.import_module(owner)
        except ImportError:
            return None
    return None


def defining_module(path: Path) -> bool:
    """The modules that define a decision may call their own helpers (none calls the function itself)."""
    relative = path.relative_to(SRC).as_posix()
    return path.parent.name == "accelerators" or relative in {"plan/managed.py", "plan/python.py", "mirrors/decide.py"}


def test_only_the_plan_maker_calls_a_decision_function() -> None:
    offenders = {}
    for path in sorted(SRC.rglob("*.py")):
        if path == PLAN_MAKER or defining_module(path):
            continue
        package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
        found = calls_to_decisions(path.read_text(encoding="utf-8"), package)
        if found:
            offenders[str(path.relative_to(SRC))] = found
    assert offenders == {}, offenders


def test_the_guard_sees_a_decision_under_any_name() -> None:
    """The check itself: each way a module could reach a decision is caught (else the test above proves nothing)."""
    cases = [
        "from llmenv.plan.accelerators import resolve as pick\ndef f():\n    return pick(1, 2, 3)\n",
        "def f():\n    from llmenv.plan import accelerators\n    return accelerators.resolve(1, 2, 3)\n",
        "import llmenv.plan.managed as m\nm.managed_python()\n",
        "import llmenv.mirrors.decide\nllmenv.mirrors.decide.choose_mirrors(None, '', {}, None)\n",
        "from ..plan.python import choose_interpreter\nchoose_interpreter()\n",
    ]
    for source in cases:
        assert calls_to_decisions(source, "llmenv.workflow"), source
    assert calls_to_decisions("from llmenv.plan.make import make_plan\nmake_plan()\n", "llmenv.workflow") == []
