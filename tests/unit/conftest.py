"""Unit tests are pure: any attempt to start a process or open a network connection fails the test at once.

Like cibuildwheel's `mock_protection`, the guard replaces the process and socket entry points for every unit
test, so a test that would quietly depend on the host's tools or network cannot land in tests/unit; such tests
belong in tests/integration."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
from typing import Any, NoReturn

import pytest

# platform.uname() asks `uname -p` once per process and caches the answer; ask before the guard is installed so
# code that only reads the platform (crash logs, probes) stays testable here.
platform.platform()
_ = platform.uname().processor


class ForbiddenInUnitTest(AssertionError):
    """Raised when a unit test tries to reach outside its process."""


def _refuse(what: str) -> Any:
    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        shown = [a for a in args if isinstance(a, (str, bytes, list, tuple, os.PathLike))][:2]
        raise ForbiddenInUnitTest(f"unit tests may not {what} (move the test to tests/integration): {shown!r}")

    return refuse


@pytest.fixture(autouse=True)
def no_processes_or_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subprocess.Popen, "__init__", _refuse("start processes"))
    for name in ("posix_spawn", "posix_spawnp", "fork", "forkpty", "system", "execv", "execve", "execvp", "popen"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, _refuse("start processes"))
    monkeypatch.setattr(socket.socket, "connect", _refuse("open sockets"))
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse("open sockets"))
    monkeypatch.setattr(socket, "create_connection", _refuse("open sockets"))
    monkeypatch.setattr(socket, "getaddrinfo", _refuse("resolve host names"))
