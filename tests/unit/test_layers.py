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
