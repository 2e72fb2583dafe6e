"""The test suite's own guards: what every test may rely on."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest


def test_no_llmenv_override_reaches_a_test() -> None:
    """Run by tests/integration/test_isolation.py with overrides set in the environment, where it failed before
    the isolation fixture cleared every LLMENV_* variable."""
    leaked = sorted(n for n in os.environ if n.startswith("LLMENV_") and not n.startswith("LLMENV_TEST_"))
    assert leaked == ["LLMENV_LOG_DIR"]


def test_unit_tests_cannot_start_processes() -> None:
    with pytest.raises(AssertionError, match="start processes"):
        subprocess.run(["true"], check=False)
    with pytest.raises(AssertionError, match="start processes"):
        os.posix_spawn("/bin/true", ["true"], {})


def test_unit_tests_cannot_open_sockets() -> None:
    with socket.socket() as sock, pytest.raises(AssertionError, match="open sockets"):
        sock.connect(("127.0.0.1", 9))
    with pytest.raises(AssertionError, match="open sockets"):
        socket.create_connection(("127.0.0.1", 9), timeout=1)
