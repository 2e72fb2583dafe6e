"""Scratch names and the clean-up rule for unpacked bundles (execute/bundle_scratch.py), with real folders.

Scratch must be unique across processes and hosts sharing one cache, parse back to its owner, and be removed only
when llmenv made it and its owner is gone; a published folder is reused while it matches, never deleted."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmenv.errors import BundleError
from llmenv.execute.bundle_scratch import (
    MARKER,
    STALE_AFTER_S,
    ScratchName,
    host_label,
    is_stale,
    matches,
    new_scratch,
    publish,
    publish_file,
    remove_stale_scratch,
)

DIGEST = "0123456789abcdef"
digests = st.text("0123456789abcdef", min_size=16, max_size=16)


def dead_pid() -> int:
    """Above the kernel's largest pid_max (2**22): no process has it, and asking for it says so (ESRCH)."""
    return 2**22 + 1


def made(root: Path, host: str, pid: int, marker: bool = True, age_s: float = 0.0, nonce: str = "x1y2z3") -> Path:
    folder = root / f".{DIGEST}.{host}.{pid}.{nonce}.tmp"
    (folder / "wheels").mkdir(parents=True)
    (folder / "wheels" / "a.whl").write_bytes(b"x" * 100)
    if marker:
        (folder / MARKER).write_text("b.tar")
    then = time.time() - age_s
    os.utime(folder, (then, then))
    return folder


@given(st.text(max_size=300))
def test_a_host_label_is_one_safe_name_part(name: str) -> None:
    label = host_label(name)
    assert 1 <= len(label) <= 63 and "." not in label and "/" not in label
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in label)
    assert host_label(label) == label


@settings(max_examples=40, deadline=None)
@given(digests, st.text(max_size=80))
def test_a_new_scratch_names_its_owner_and_parses_back(digest: str, host: str) -> None:
    with mock.patch("socket.gethostname", lambda: host), tempfile.TemporaryDirectory() as tmp:
        folder = new_scratch(Path(tmp), digest, Path("b.tar"))
        name = ScratchName.parse(folder.name)
        assert name is not None and (name.digest, name.host, name.pid) == (digest, host_label(host), os.getpid())
        assert (folder / MARKER).is_file() and list(folder.iterdir()) == [folder / MARKER]
        assert folder.stat().st_mode & 0o077 == 0  # made by mkdtemp: this user's alone


def test_scratch_names_never_collide_within_one_process_and_host(tmp_path: Path) -> None:
    """Same host, same pid (threads, or two nodes whose runs got one pid): the random part still differs."""
    names: list[Path] = []
    lock = threading.Lock()

    def make() -> None:
        for _ in range(25):
            folder = new_scratch(tmp_path, DIGEST, Path("b.tar"))
            with lock:
                names.append(folder)

    threads = [threading.Thread(target=make) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(names)) == 100 and all(p.is_dir() for p in names)


@pytest.mark.parametrize(
    "name",
    ["0123456789abcdef", ".0123456789abcdef.lock", ".0123456789abcdef.h.1.x.tmp.old", ".XYZ.h.1.x.tmp",
     ".0123456789abcdef.a.b.1.x.tmp", ".0123456789abcdef.h.pid.x.tmp", ".0123456789abcdef.h.1..tmp", "..tmp"],
)  # fmt: skip
def test_other_names_are_not_scratch(name: str) -> None:
    assert ScratchName.parse(name) is None


@given(st.booleans(), st.booleans(), st.floats(0, 3 * STALE_AFTER_S))
def test_stale_only_when_the_owner_is_gone(same_host: bool, alive: bool, age: float) -> None:
    name = ScratchName(DIGEST, "node-1" if same_host else "node-2", 4242, "abc")
    stale = is_stale(name, age, host="node-1", alive=lambda pid: alive)
    # This host: its process says it all (age does not matter). Another host: its processes cannot be seen here.
    assert stale == ((not alive) if same_host else age > STALE_AFTER_S)


def test_clean_up_removes_only_what_llmenv_made_and_whose_owner_is_gone(tmp_path: Path) -> None:
    here = host_label()
    dead = made(tmp_path, here, dead_pid())
    live = made(tmp_path, here, os.getppid())
    unmarked = made(tmp_path, here, dead_pid(), marker=False, nonce="u1")
    # Another node of the cluster, same pid as this process (the collision the old `.digest.PID` name had): young
    # scratch there may still be being written; a day-old one is a killed run's.
    other_young = made(tmp_path, "other-node", os.getpid())
    other_old = made(tmp_path, "other-node", os.getpid(), age_s=STALE_AFTER_S + 60, nonce="o1")
    legacy_young = tmp_path / f".{DIGEST}.{os.getppid()}.tmp"
    legacy_young.mkdir()
    (legacy_young / MARKER).write_text("b.tar")
    published = tmp_path / DIGEST
    published.mkdir()
    (published / MARKER).write_text("b.tar")
    removed = remove_stale_scratch(tmp_path)
    assert sorted(removed) == sorted([dead, other_old])
    assert not dead.exists() and not other_old.exists()
    for kept in (live, unmarked, other_young, legacy_young, published):
        assert kept.exists(), kept


def _members(folder: Path) -> dict[str, dict[str, object]]:
    return {
        str(p.relative_to(folder)): {"sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "size": p.stat().st_size}
        for p in folder.rglob("*")
        if p.is_file() and p.name != MARKER
    }


def test_a_published_folder_that_matches_is_reused_and_never_replaced(tmp_path: Path) -> None:
    first = made(tmp_path, host_label(), os.getpid())
    members = _members(first)
    final = publish(first, tmp_path, DIGEST, members)
    inode = final.stat().st_ino
    second = new_scratch(tmp_path, DIGEST, Path("b.tar"))
    (second / "wheels").mkdir()
    (second / "wheels" / "a.whl").write_bytes(b"x" * 100)
    assert publish(second, tmp_path, DIGEST, members) == final
    assert final.stat().st_ino == inode and not second.exists()


def test_a_damaged_published_folder_is_replaced_by_a_verified_one(tmp_path: Path) -> None:
    good = made(tmp_path, host_label(), os.getpid())
    members = _members(good)
    final = publish(good, tmp_path, DIGEST, members)
    (final / "wheels" / "a.whl").write_bytes(b"y" * 100)  # same size, other bytes
    fresh = new_scratch(tmp_path, DIGEST, Path("b.tar"))
    (fresh / "wheels").mkdir()
    (fresh / "wheels" / "a.whl").write_bytes(b"x" * 100)
    assert publish(fresh, tmp_path, DIGEST, members) == final
    assert (final / "wheels" / "a.whl").read_bytes() == b"x" * 100
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_folder_llmenv_did_not_make_is_never_replaced(tmp_path: Path) -> None:
    theirs = tmp_path / DIGEST
    theirs.mkdir()
    (theirs / "keep").write_text("mine")
    ours = made(tmp_path, host_label(), os.getpid())
    with pytest.raises(BundleError, match="llmenv did not make it"):
        publish(ours, tmp_path, DIGEST, _members(ours))
    assert (theirs / "keep").read_text() == "mine"


def test_a_shared_file_is_replaced_in_one_step_and_left_alone_when_equal(tmp_path: Path) -> None:
    """The bundle's smoke data copied into the shared cache: a second setup never rewrites it in place (a first
    setup's smoke test may be reading it), and leaves no scratch file.

    Before: `shutil.copyfile` truncated and rewrote in place the file another setup was reading."""
    source = tmp_path / "imdb.tar.gz"
    source.write_bytes(b"reviews" * 1000)
    folder = tmp_path / "cache" / "imdb" / "bundle"
    placed = publish_file(source, folder, "imdb.tar.gz")
    inode = placed.stat().st_ino
    with placed.open("rb") as reader:  # a reader holding it open, as a smoke test would
        assert publish_file(source, folder, "imdb.tar.gz") == placed and placed.stat().st_ino == inode
        source.write_bytes(b"other" * 10)
        publish_file(source, folder, "imdb.tar.gz")
        assert reader.read() == b"reviews" * 1000  # what it opened, whole
    assert placed.read_bytes() == b"other" * 10 and placed.stat().st_ino != inode
    assert sorted(p.name for p in folder.iterdir()) == ["imdb.tar.gz"]


def test_concurrent_copies_of_one_shared_file_each_leave_it_whole(tmp_path: Path) -> None:
    sources = []
    for n in range(4):
        source = tmp_path / f"s{n}"
        source.write_bytes(bytes([n]) * 300_000)
        sources.append(source)
    folder = tmp_path / "shared"
    threads = [threading.Thread(target=publish_file, args=(s, folder, "data.tar.gz")) for s in sources * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    body = (folder / "data.tar.gz").read_bytes()
    assert len(body) == 300_000 and len(set(body)) == 1
    assert sorted(p.name for p in folder.iterdir()) == ["data.tar.gz"]


@pytest.mark.parametrize("change", ["extra wheel", "missing member", "link instead of a member"])
def test_a_published_folder_with_anything_else_in_it_does_not_match(tmp_path: Path, change: str) -> None:
    folder = made(tmp_path, host_label(), os.getpid())
    members = _members(folder)
    assert matches(folder, members)
    wheel = folder / "wheels" / "a.whl"
    if change == "extra wheel":
        (folder / "wheels" / "evil-1.0-py3-none-any.whl").write_bytes(b"x")
    elif change == "missing member":
        wheel.unlink()
    else:
        (tmp_path / "elsewhere.whl").write_bytes(wheel.read_bytes())
        wheel.unlink()
        wheel.symlink_to(tmp_path / "elsewhere.whl")
    assert not matches(folder, members)
