"""A faulty host under a real setup: full disks (a real small tmpfs), read-only folders (real read-only bind
mounts), a damaged stamp. Installs are real, from a local index on 127.0.0.1. Mount cases need root; without it
they are skipped (said in the skip reason), since faking ENOSPC in-process would not exercise the same paths."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmenv.execute.store import STAMP
from tests.helpers.index_server import IndexServer
from tests.hostile.conftest import Outcome, assert_clean, llmenv, needs_mount, snapshot, tiny_profile

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]


def _setup(profile: Path, env: Path, *extra: str) -> Outcome:
    return llmenv("setup", str(profile), "--env", str(env), "--skip-smoke", "--backend", "uv", *extra, timeout=180)


def _leftovers(store: Path) -> list[str]:
    """What a failed run left in the store that no later run would clear: generations without their marker."""
    if not store.is_dir():
        return []
    return sorted(
        p.name for p in store.iterdir() if p.name.startswith("gen-") and not (p / "llmenv-generation.json").exists()
    )


@needs_mount
def test_disk_full_on_a_new_env(tmp_path: Path, index: IndexServer, tmpfs: Any) -> None:
    """ENOSPC while creating the first generation: a clean error that says the disk is full (not "check the
    pins"), no unmarked store left behind, and the next run is not blocked by what the failed one left."""
    disk = tmpfs.small("disk", "600k")
    profile = tiny_profile(tmp_path, "alpha==1.0")
    env = disk / "env"
    result = _setup(profile, env)
    assert result.code in (3, 4), result.err
    assert_clean(result, result.code, seconds=120, mentions=("space",))
    assert "check the pins" not in result.err
    assert _leftovers(disk / "env.llmenv") == []
    again = _setup(profile, env)
    assert "carries no llmenv marker" not in again.err
    assert_clean(again, result.code, seconds=120, mentions=("space",))


@needs_mount
def test_disk_full_while_updating_keeps_the_working_env(tmp_path: Path, index: IndexServer, tmpfs: Any) -> None:
    """A full disk during an update: the previous generation stays current and usable, the partial one is gone."""
    disk = tmpfs.small("disk", "40m")
    profile = tiny_profile(tmp_path, "alpha==1.0")
    env = disk / "env"
    assert _setup(profile, env).code == 0
    current = env.resolve()
    filler = disk / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * (1 << 20))
        except OSError:
            pass
    result = _setup(profile, env, "--force")
    assert_clean(result, result.code, seconds=120, mentions=("space",))
    assert result.code in (3, 4)
    assert env.resolve() == current
    assert _leftovers(disk / "env.llmenv") == []


@needs_mount
def test_env_folder_not_writable(tmp_path: Path, index: IndexServer, tmpfs: Any) -> None:
    parent = tmp_path / "ro"
    parent.mkdir()
    tmpfs.read_only(parent)
    profile = tiny_profile(tmp_path, "alpha==1.0")
    result = _setup(profile, parent / "env")
    assert_clean(result, 3, mentions=("read-only", str(parent)))
    assert "FAILED: probing the host" not in result.err


@needs_mount
@pytest.mark.parametrize("command", ["setup-force", "rollback"])
def test_read_only_store(tmp_path: Path, index: IndexServer, tmpfs: Any, command: str) -> None:
    """The `.llmenv` store mounted read-only after a good setup: setup --force and rollback fail cleanly, the
    progress line blames the store (not "probing the host") and the env still works."""
    profile = tiny_profile(tmp_path, "alpha==1.0")
    env = tmp_path / "env"
    assert _setup(profile, env).code == 0
    if command == "rollback":
        assert _setup(profile, env, "--force").code == 0
    store = tmp_path / "env.llmenv"
    before = snapshot(store)
    tmpfs.read_only(store)
    args = ["rollback", "--env", str(env)] if command == "rollback" else []
    result = llmenv(*args, timeout=120) if args else _setup(profile, env, "--force")
    assert_clean(result, 3, seconds=120, mentions=("read-only", "env.llmenv"))
    assert "FAILED: probing the host" not in result.err
    assert snapshot(store) == before


def test_stamp_missing_a_key(tmp_path: Path, index: IndexServer) -> None:
    """A stamp edited by hand (or by an older llmenv) that lacks a key: the re-run rebuilds, no KeyError."""
    profile = tiny_profile(tmp_path, "alpha==1.0")
    env = tmp_path / "env"
    assert _setup(profile, env).code == 0
    stamp_path = env.resolve() / STAMP
    for key in ("python", "python_version"):
        stamp = json.loads(stamp_path.read_text())
        stamp.pop(key, None)
        stamp_path.write_text(json.dumps(stamp))
        result = _setup(profile, env)
        assert_clean(result, 0, seconds=120)
        stamp_path = env.resolve() / STAMP
        assert key in json.loads(stamp_path.read_text())


@pytest.mark.parametrize("content", ["[1, 2]", "not json", '{"python": 5, "python_version": null}'])
def test_stamp_damaged(tmp_path: Path, index: IndexServer, content: str) -> None:
    profile = tiny_profile(tmp_path, "alpha==1.0")
    env = tmp_path / "env"
    assert _setup(profile, env).code == 0
    (env.resolve() / STAMP).write_text(content)
    result = _setup(profile, env)
    assert result.code in (0, 2), result.err
    assert_clean(result, result.code, seconds=120)
