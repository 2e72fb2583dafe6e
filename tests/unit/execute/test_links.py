"""The env link on Windows without the symlink privilege: os.symlink raises WinError 1314, and llmenv makes a
directory junction instead (`_winapi.CreateJunction`). Windows is simulated on Linux: `on_windows()`, the error
with its `winerror`, a stand-in `_winapi` (it makes an absolute symbolic link where Windows makes a junction), and
`os.rmdir` of a link (Windows removes a junction with rmdir; Linux needs unlink)."""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from llmenv.execute import links
from llmenv.execute.links import ERROR_PRIVILEGE_NOT_HELD, is_junction, make_link, replace_link
from llmenv.execute.store import EnvStore


def privilege_not_held(*args: Any, **kwargs: Any) -> None:
    error = OSError(22, "A required privilege is not held by the client")
    error.winerror = ERROR_PRIVILEGE_NOT_HELD  # type: ignore[attr-defined]
    raise error


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Windows without Developer Mode: no symlinks, junctions through _winapi; returns the junctions made."""
    made: list[tuple[str, str]] = []
    real_symlink = os.symlink

    def create_junction(target: str, junction: str) -> None:
        assert os.path.isabs(target) and os.path.isabs(junction), "a junction needs absolute paths"
        made.append((target, junction))
        real_symlink(target, junction)  # stand-in: what a junction does for a path lookup

    monkeypatch.setattr(links, "on_windows", lambda: True)
    monkeypatch.setattr(links.os, "symlink", privilege_not_held)
    monkeypatch.setitem(sys.modules, "_winapi", types.SimpleNamespace(CreateJunction=create_junction))

    def rmdir_link(path: Path) -> None:
        assert os.path.islink(path), "rmdir is only ever used on the link itself"
        os.unlink(path)

    monkeypatch.setattr(links, "_remove_directory_link", rmdir_link)
    return made


def test_posix_makes_a_symlink_relative_to_where_it_ends_up(tmp_path: Path) -> None:
    (tmp_path / "store" / "gen-1").mkdir(parents=True)
    assert make_link(tmp_path / "store" / "gen-1", tmp_path / "env") == "symlink"
    assert os.readlink(tmp_path / "env") == os.path.join("store", "gen-1")
    # Made inside the store, renamed to the env path: relative to the env path's folder, not the store.
    make_link(tmp_path / "store" / "gen-1", tmp_path / "store" / ".link-1", tmp_path / "env2")
    replace_link(tmp_path / "store" / ".link-1", tmp_path / "env2")
    assert (tmp_path / "env2").resolve() == tmp_path / "store" / "gen-1"


def test_winerror_1314_falls_back_to_a_junction(tmp_path: Path, windows: list[tuple[str, str]]) -> None:
    target = tmp_path / "store" / "gen-1"
    target.mkdir(parents=True)
    assert make_link(target, tmp_path / "env") == "junction"
    assert windows == [(str(target), str(tmp_path / "env"))]
    assert (tmp_path / "env").resolve() == target


def test_other_errors_are_not_hidden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(*args: Any, **kwargs: Any) -> None:
        error = OSError(13, "Access is denied")
        error.winerror = 5  # type: ignore[attr-defined]
        raise error

    monkeypatch.setattr(links, "on_windows", lambda: True)
    monkeypatch.setattr(links.os, "symlink", denied)
    with pytest.raises(OSError, match="Access is denied"):
        make_link(tmp_path, tmp_path / "env")
    monkeypatch.setattr(links, "on_windows", lambda: False)
    monkeypatch.setattr(links.os, "symlink", privilege_not_held)  # 1314 off Windows: not ours to explain away
    with pytest.raises(OSError):
        make_link(tmp_path, tmp_path / "env")


def test_windows_swap_removes_the_old_link_then_renames(tmp_path: Path, windows: list[tuple[str, str]]) -> None:
    for name in ("gen-1", "gen-2"):
        (tmp_path / name).mkdir()
    make_link(tmp_path / "gen-1", tmp_path / "env")
    make_link(tmp_path / "gen-2", tmp_path / ".link-1", tmp_path / "env")
    replace_link(tmp_path / ".link-1", tmp_path / "env")
    assert (tmp_path / "env").resolve() == tmp_path / "gen-2" and not (tmp_path / ".link-1").exists()
    assert (tmp_path / "gen-1").is_dir()  # the old generation itself is untouched


def test_junction_is_recognised_by_its_reparse_tag(tmp_path: Path) -> None:
    junction = types.SimpleNamespace(st_reparse_tag=0xA0000003)
    symlink = types.SimpleNamespace(st_reparse_tag=0xA000000C)
    assert is_junction(tmp_path, lambda p: junction)
    assert not is_junction(tmp_path, lambda p: symlink)
    assert not is_junction(tmp_path, lambda p: os.stat_result((0,) * 10))  # POSIX: no reparse tags
    assert not is_junction(tmp_path / "missing")


def test_a_whole_store_works_with_junctions(tmp_path: Path, windows: list[tuple[str, str]]) -> None:
    """Commit, update, roll back: the store's own operations, Windows simulated end to end."""
    store = EnvStore.at(tmp_path / ".venv")
    first = store.new_generation()
    store.commit(first, {"key": "1"})
    second = store.new_generation()
    store.commit(second, {"key": "2"})
    assert store.current() == second and store.previous() == first
    assert all(os.path.isabs(target) for target, _ in windows) and len(windows) == 2
    store.switch_to(first)
    assert store.current() == first
    store.check_ownership()  # the junction leads into the store: llmenv's own
    assert not list(store.home.glob(".link-*"))
