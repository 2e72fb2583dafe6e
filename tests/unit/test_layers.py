"""The architecture, enforced: planning and profiles are pure, only execute/ writes, cli/ holds no logic layers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "llmenv"


def imported_modules(path: Path) -> set[str]:
    """Runtime imports; `if TYPE_CHECKING:` blocks only name types and are left out."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            node.body = []
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def files(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


@pytest.mark.parametrize("package", ["profiles", "plan", "tables"])
def test_pure_packages_run_nothing_and_read_no_environment(package: str) -> None:
    for path in files(package):
        text = path.read_text()
        assert "subprocess" not in imported_modules(path), path
        assert "llmenv.process" not in imported_modules(path), path
        if path.name != "locate.py":  # where user profiles live ($LLMENV_CONFIG_DIR) is lookup, not meaning
            assert "os.environ" not in text, path


@pytest.mark.parametrize("module", ["sets.py", "decide.py"])
def test_the_mirror_decision_and_its_table_are_pure(module: str) -> None:
    path = SRC / "mirrors" / module
    assert not {"subprocess", "llmenv.process"} & imported_modules(path), path
    assert "os.environ" not in path.read_text(), path


def test_only_execute_deletes_or_renames() -> None:
    # Besides environments, llmenv writes only its own cache (downloaded and prepared IMDB data) and crash logs.
    for path in SRC.rglob("*.py"):
        if "execute" in path.parts:
            continue
        text = path.read_text()
        assert ("rmtree" not in text and "os.replace(" not in text) or path.name in {
            "download.py",
            "data.py",
            "crash.py",
        }, path


def test_dependencies_point_one_way() -> None:
    lower = {"profiles", "plan", "probe", "tables", "verify", "execute", "report", "export"}
    for package in lower:
        for path in files(package):
            for module in imported_modules(path):
                assert not module.startswith(("llmenv.cli", "llmenv.workflow")), (path, module)


def test_plan_does_not_import_verify() -> None:
    """Decisions come first: verify/ reads the plan, never the other way round."""
    for path in files("plan"):
        for module in imported_modules(path):
            assert not module.startswith("llmenv.verify"), (path, module)


def test_one_accelerator_resolver() -> None:
    """The accelerator is decided in plan/accelerators only: no second resolver elsewhere (issue 9 item 1)."""
    suspicious = ("resolve_accelerator", "resolve_auto", "has_gpu", "choose_variant")  # names of old second resolvers
    for path in SRC.rglob("*.py"):
        if "accelerators" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        defined: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                defined.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                defined.add(node.id)
        assert not defined & set(suspicious), (path, defined & set(suspicious))
    registry = SRC / "plan" / "accelerators" / "__init__.py"
    assert "def resolve(" in registry.read_text()


# Lower first. Base modules import nothing above them; each layer imports only layers below it (or itself).
RANK = {
    "llmenv": 0, "errors": 0, "redact": 0, "digest": 0, "suggest": 0, "tools": 0, "paths": 0, "process": 0,
    "door": 0, "sink": 0, "trust": 0, "mirrors": 0, "tables": 1, "profiles": 2, "probe": 3, "plan": 4, "execute": 5,
    "verify": 6,
    "export": 6, "report": 7, "workflow": 8, "cli": 9, "__main__": 9,
}  # fmt: skip
# Known and named exceptions to the order (none: the ownership rule lives in the base package llmenv.trust).
ALLOWED_UPWARD: set[tuple[str, str]] = set()


def module_of(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the llmenv modules it imports, counting imports inside functions (44% of them once were) and
    relative ones; `if TYPE_CHECKING:` blocks only name types and are left out."""
    modules = {module_of(p): p for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
                node.body = []
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = package
                    for _ in range(node.level - 1):
                        base = base.rpartition(".")[0]
                    base += f".{node.module}" if node.module else ""
                found |= {base, *(f"{base}.{a.name}" for a in node.names)}
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


# The mirrors package spans the pipeline (llmenv/mirrors/__init__.py): each module sits at its own layer.
MIRRORS = {"sets": 1, "config": 2, "probe": 3, "decide": 4, "findings": 6, "export": 6, "resolve": 8}


def _layer(module: str) -> int:
    parts = module.split(".")
    if parts[1:2] == ["mirrors"]:
        return MIRRORS[parts[2]] if len(parts) > 2 else 0
    top = module.split(".")[1] if "." in module else module
    assert top in RANK, f"{module}: a new top-level module or package; give it a layer in RANK"
    return RANK[top]


def test_imports_point_down_the_layers_counting_imports_inside_functions() -> None:
    upward = sorted(
        (module, target)
        for module, targets in import_graph().items()
        for target in targets
        if _layer(target) > _layer(module) and (module, target) not in ALLOWED_UPWARD
    )
    assert upward == []


def test_no_modules_import_each_other_in_a_loop() -> None:
    graph = import_graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    loops: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert loops == []


def test_the_layer_checks_see_imports_inside_functions(tmp_path: Path) -> None:
    """The checks can fail: an import hidden in a function body counts."""
    module = tmp_path / "hidden.py"
    module.write_text("def f():\n    from llmenv.workflow.setup import setup\n    return setup\n")
    assert "llmenv.workflow.setup" in imported_modules(module)


def test_no_module_is_over_400_lines() -> None:
    long = {str(p.relative_to(SRC)): n for p in SRC.rglob("*.py") if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}
