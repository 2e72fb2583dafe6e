"""Hostile and careless use, run as a user would: the real `llmenv` entry point in a child process.

Every case asserts the same contract (DESIGN.md section 8, issue 12): the exit code from `llmenv.errors.ExitCode`,
one paragraph saying what went wrong with a `Fix:`, no traceback and no "internal error", an end within a bound,
and nothing outside the target changed. `docs/reliability.md` is generated from the JUnit XML of this folder
(`scripts/reliability_table.py`)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.index_server import IndexServer, serve
from tests.helpers.wheels import make_wheel


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def text(self) -> str:
        return self.out + self.err


def llmenv(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
    unset: tuple[str, ...] = (),
) -> Outcome:
    """Run `python -m llmenv ARGS` in a child process, as a user's shell would, with a hard time limit."""
    environ = {**os.environ, **(env or {})}
    for name in unset:
        environ.pop(name, None)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "llmenv", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Outcome(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
        time.perf_counter() - start,
    )


def assert_clean(result: Outcome, code: int, *, seconds: float = 30.0, mentions: tuple[str, ...] = ()) -> None:
    """The contract of every hostile case: right code, one paragraph with a fix, no traceback, bounded time."""
    shown = f"exit {result.code}\n--- stdout\n{result.out}\n--- stderr\n{result.err}"
    assert result.code == code, shown
    assert "Traceback" not in result.text, shown
    assert "internal error" not in result.text, shown
    assert result.seconds < seconds, f"took {result.seconds:.1f} s\n{shown}"
    if code != 0:
        message = result.err[result.err.find("error:") :] if "error:" in result.err else result.err
        assert "error:" in result.err, shown
        assert "Fix:" in message or "fix:" in message, shown
        paragraph = message.strip()
        assert "\n\n" not in paragraph, shown
        assert len(paragraph.splitlines()) <= 12, shown
    for word in mentions:
        assert word in result.text, f"expected {word!r} in the output\n{shown}"


def snapshot(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every path under `folder` with a digest of its content (or link target): what "nothing changed" compares.
    Taken once the background work of earlier commands (bytecode warm-up, deleting old generations) has ended."""
    from tests.helpers.background import wait_for_background

    wait_for_background()
    state: dict[str, str] = {}
    if not folder.exists():
        return state
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if any(rel == s or rel.startswith(s + "/") for s in skip):
            continue
        if path.is_symlink():
            state[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            try:
                state[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                state[rel] = "unreadable"
        else:
            state[rel] = "dir"
    return state


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def can_mount() -> bool:
    """tmpfs and bind mounts need root (and a kernel that allows them in this container)."""
    if not is_root() or sys.platform != "linux":
        return False
    probe = Path("/tmp") / f"llmenv-mount-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)], capture_output=True)
        if ok.returncode != 0:
            return False
        subprocess.run(["umount", str(probe)], capture_output=True)
        return True
    finally:
        probe.rmdir()


MOUNTS = can_mount()
needs_mount = pytest.mark.skipif(not MOUNTS, reason="needs root and mount (tmpfs, bind mounts)")
needs_root = pytest.mark.skipif(not is_root(), reason="needs root (to drop to another user or mount)")


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Any]:
    """A factory for small real tmpfs mounts (disk full) and read-only bind mounts; all unmounted afterwards."""
    mounted: list[Path] = []

    class Mounts:
        def small(self, name: str, size: str) -> Path:
            target = tmp_path / name
            target.mkdir()
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)], check=True)
            mounted.append(target)
            return target

        def read_only(self, folder: Path) -> Path:
            subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
            mounted.append(folder)
            subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
            return folder

    yield Mounts()
    for target in reversed(mounted):
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    folder = tmp_path / "wheels"
    make_wheel(folder, "alpha", "1.0")
    make_wheel(folder, "alpha", "2.0")
    return folder


@pytest.fixture
def index(wheels: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IndexServer]:
    """A local PEP 503 index on 127.0.0.1 that pip's configuration (and so both backends) points at, nothing else."""
    with serve(IndexServer(wheels)) as server:
        config = tmp_path / "pip.conf"
        config.write_text(f"[global]\nindex-url = {server.url}\n")
        monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
        for name in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL", "PIP_CONSTRAINT"):
            monkeypatch.delenv(name, raising=False)
        yield server


def tiny_profile(folder: Path, *packages: str, name: str = "tiny") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\npython: '>=3.10'\naccelerator: cpu\npackages: {json.dumps(list(packages))}\n"
        "checks:\n  imports: [alpha]\n"
    )
    return path


@pytest.fixture
def shared() -> Iterator[Path]:
    """A folder like /tmp: every user may create entries (sticky bit), reachable by `nobody`."""
    folder = Path(tempfile.mkdtemp(prefix="llmenv-shared-", dir="/tmp"))
    folder.chmod(0o1777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
