"""The ownership rule (`llmenv.trust`) as a property: for any chain of folders with any owner (root or another
user) and any mode (write bits for group and others, the sticky bit), and a file at its end, `untrusted` agrees
with the rule written out plainly here; links are followed only when their owner is trusted."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmenv.trust import program_refusal, untrusted

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give files to another user"
)

OTHER = 65534  # nobody
MODES = st.sampled_from([0o755, 0o775, 0o757, 0o777, 0o1777, 0o1755, 0o700])
LEVEL = st.tuples(st.sampled_from([0, OTHER]), MODES)


@pytest.fixture(scope="module")
def base() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="llmenv-trust-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def expected(levels: list[tuple[int, int]]) -> bool:
    """The rule, plainly: each component is root's (the test runs as root) and not group/other-writable, except
    that a sticky folder may be writable when the entry below it is root's."""
    for i, (owner, mode) in enumerate(levels):
        if owner != 0:
            return False
        writable = mode & 0o022
        sticky = mode & 0o1000 and i < len(levels) - 1
        if writable and not sticky:
            return False
    return True


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(levels=st.lists(LEVEL, min_size=1, max_size=4), file_owner=st.sampled_from([0, OTHER]))
def test_the_rule_over_any_chain(base: Path, levels: list[tuple[int, int]], file_owner: int) -> None:
    top = Path(tempfile.mkdtemp(dir=base))
    try:
        path = top
        for depth, (owner, mode) in enumerate(levels):
            path = path / f"d{depth}"
            path.mkdir()
            os.chown(path, owner, OTHER)  # group nogroup: not the user's private group
            path.chmod(mode)
        target = path / "lock.txt"
        target.write_text("x")
        os.chown(target, file_owner, file_owner)
        target.chmod(0o644)
        verdict = untrusted(target)
        assert (verdict is None) == expected([*levels, (file_owner, 0o644)]), (levels, file_owner, verdict)
        if verdict is not None:
            assert str(top) in verdict.path  # names the component, never file content
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_group_write_is_allowed_for_the_users_private_group(base: Path) -> None:
    """umask 002 under the user-private-group scheme: the group is the user's own, nobody else is in it."""
    folder = base / "upg"
    folder.mkdir()
    os.chown(folder, 0, 0)  # group root: named as the user (root), no other members
    folder.chmod(0o775)
    (folder / "f").write_text("x")
    assert untrusted(folder / "f") is None
    os.chown(folder, 0, OTHER)
    found = untrusted(folder / "f")
    assert found is not None and "group" in found.problem


def test_a_link_is_followed_only_when_its_owner_is_trusted(base: Path) -> None:
    real = base / "real.txt"
    real.write_text("x")
    sticky = base / "sticky"
    sticky.mkdir(mode=0o1777)
    sticky.chmod(0o1777)
    mine = sticky / "mine"
    mine.symlink_to(real)
    assert untrusted(mine) is None
    theirs = sticky / "theirs"
    theirs.symlink_to(real)
    os.lchown(theirs, OTHER, OTHER)
    found = untrusted(theirs)
    assert found is not None and "link" in found.problem
    # A link to an untrusted target is judged at the target.
    shared = base / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    (shared / "t.txt").write_text("x")
    (base / "to-shared").symlink_to(shared / "t.txt")
    found = untrusted(base / "to-shared")
    assert found is not None and found.path == str(shared)


@pytest.mark.parametrize("entry", ["", ".", "bin", "./bin"])
def test_programs_through_the_working_folder_are_refused(
    base: Path, entry: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = base / f"work{len(entry)}{entry.count('.')}"
    (work / "bin").mkdir(parents=True, exist_ok=True)
    for folder in (work, work / "bin"):
        tool = folder / "nvidia-smi"
        tool.write_text("#!/bin/sh\n")
        tool.chmod(0o755)
    monkeypatch.chdir(work)
    refusal = program_refusal("nvidia-smi", f"{entry}:/usr/bin")
    assert refusal is not None and "working folder" in refusal


def test_a_program_in_a_trusted_folder_runs() -> None:
    assert program_refusal("sh", "/usr/bin:/bin") is None
