from __future__ import annotations

from pathlib import Path

import pytest

from llmenv.errors import ProfileError
from llmenv.profiles.load import load_profile


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text)
    return path


def test_child_wins_by_project_name_and_keeps_parent_order(tmp_path: Path) -> None:
    write(
        tmp_path,
        "base",
        "name: base\npython: '>=3.10'\npackages: ['numpy==2.2.6', 'Torch==2.12.0', 'rich==13.0.0']\n"
        "accelerators:\n  cuda:\n    packages: ['torch==2.12.0']\n    min_cuda: '12.6'\n"
        "checks:\n  imports: [numpy]\n",
    )
    child = write(
        tmp_path,
        "child",
        "name: child\nextends: base\npackages: ['torch==2.13.0', 'tqdm==4.67.1']\n"
        "accelerators:\n  cuda:\n    packages: ['torch==2.13.0']\n"
        "checks:\n  imports: [torch]\n",
    )
    profile = load_profile(str(child))
    assert profile.packages == ("numpy==2.2.6", "torch==2.13.0", "rich==13.0.0", "tqdm==4.67.1")
    assert profile.python == ">=3.10"
    assert profile.chain == ("child", "base")
    assert profile.accelerators["cuda"].packages == ["torch==2.13.0"]
    assert profile.accelerators["cuda"].min_cuda == "12.6"
    assert profile.checks.imports == ["numpy", "torch"]


def test_extends_finds_builtin_parent(tmp_path: Path) -> None:
    child = write(tmp_path, "mine", "name: mine\nextends: torch\npackages: ['tqdm==4.67.1']\n")
    profile = load_profile(str(child))
    assert profile.chain == ("mine", "torch")
    assert "torch==2.13.0" in profile.packages
    assert profile.smoke is not None and profile.smoke.framework == "torch"


def test_cycle_is_reported_with_the_chain(tmp_path: Path) -> None:
    write(tmp_path, "a", "name: a\nextends: b\npackages: ['x==1']\npython: '>=3.10'\n")
    write(tmp_path, "b", "name: b\nextends: c\n")
    write(tmp_path, "c", "name: c\nextends: a\n")
    with pytest.raises(ProfileError) as info:
        load_profile(str(tmp_path / "a.yaml"))
    text = info.value.render()
    assert "cycle: a -> b -> c -> a" in text
    assert f"{tmp_path / 'c.yaml'}:2: at 'extends'" in text


def test_self_extension_is_a_cycle(tmp_path: Path) -> None:
    write(tmp_path, "a", "name: a\nextends: a\npackages: ['x==1']\n")
    with pytest.raises(ProfileError, match="cycle: a -> a"):
        load_profile(str(tmp_path / "a.yaml"))


def test_missing_parent_names_the_line(tmp_path: Path) -> None:
    child = write(tmp_path, "c", "name: c\n\nextends: nowhere\npackages: ['x==1']\n")
    with pytest.raises(ProfileError) as info:
        load_profile(str(child))
    assert f"{child}:3: at 'extends' parent profile 'nowhere' not found" in info.value.render()


def test_resolved_profile_needs_python_and_packages(tmp_path: Path) -> None:
    child = write(tmp_path, "c", "name: c\ndescription: nothing else\n")
    with pytest.raises(ProfileError) as info:
        load_profile(str(child))
    text = info.value.render()
    assert "no 'python' specifier" in text and "no 'packages'" in text


def test_lookup_order_project_then_user_then_builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "config"
    monkeypatch.setenv("LLMENV_CONFIG_DIR", str(user))
    write(user / "profiles", "torch", "name: torch\npython: '>=3.11'\npackages: ['torch==2.13.0']\n")
    assert load_profile("torch").origin == "user"
    project = tmp_path / "proj"
    write(project / "profiles", "torch", "name: torch\npython: '>=3.12'\npackages: ['torch==2.13.0']\n")
    assert load_profile("torch", cwd=project).origin == "project"
    monkeypatch.delenv("LLMENV_CONFIG_DIR")
    assert load_profile("torch").origin == "builtin"


def test_unknown_name_lists_what_exists() -> None:
    with pytest.raises(ProfileError) as info:
        load_profile("tensorflow")
    assert "no profile named 'tensorflow'" in info.value.render()
    assert "use one of: finetune, full, tf, torch, transformers" in info.value.render()  # no close name: all of them


def test_content_hash_ignores_location_but_not_content(tmp_path: Path) -> None:
    a = write(tmp_path / "one", "p", "name: p\npython: '>=3.10'\npackages: ['x==1']\n")
    b = write(tmp_path / "two", "p", "name: p\npython: '>=3.10'\npackages: ['x==1']\n")
    c = write(tmp_path / "three", "p", "name: p\npython: '>=3.10'\npackages: ['x==2']\n")
    assert load_profile(str(a)).content_hash() == load_profile(str(b)).content_hash()
    assert load_profile(str(a)).content_hash() != load_profile(str(c)).content_hash()
