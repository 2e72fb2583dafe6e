"""Ctrl-C during `llmenv doctor` and `llmenv probe` (commands that change nothing): one line saying so, exit 130,
no traceback, at once, even while probe threads wait on a stalled index. A real child process and a real SIGINT to
its process group (what a terminal sends on Ctrl-C)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def stalled_index() -> Iterator[tuple[str, threading.Event]]:
    """A TCP server on 127.0.0.1 that accepts and never answers; the event is set at the first connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    connected, stop = threading.Event(), threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
                connected.set()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/simple/", connected
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


@pytest.mark.parametrize("command", [["doctor"], ["probe"], ["doctor", "--json"]])
def test_ctrl_c_while_probing_says_nothing_changed(
    tmp_path: Path, stalled_index: tuple[str, threading.Event], command: list[str]
) -> None:
    """Failed before: exit 130 with nothing printed (Typer turned KeyboardInterrupt into a silent exit 130), after
    waiting for the stalled probe threads."""
    url, connected = stalled_index
    config = tmp_path / "pip.conf"
    config.write_text(f"[global]\nindex-url = {url}\ntimeout = 60\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=str(config), PIP_DEFAULT_TIMEOUT="60")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmenv", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
    )
    assert connected.wait(60), "the command never reached the index"
    time.sleep(0.3)
    sent = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    waited = time.monotonic() - sent
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "interrupted; nothing was changed", err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert waited < 5, waited  # not after the stalled probe's timeout
    if "--json" in command:
        import json

        assert json.loads(out)["exit_code"] == 130, out
    assert not any(tmp_path.iterdir()) or sorted(p.name for p in tmp_path.iterdir()) == ["pip.conf"]


def test_ctrl_c_while_llmenv_starts_is_one_line(tmp_path: Path) -> None:
    """A Ctrl-C in the first 0.2 s (while Typer and pydantic load) printed a Python traceback. The SIGINT is sent
    from an audit hook at the moment `typer` starts to import, so the test hits that window every time."""
    from llmenv.errors import ExitCode

    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import os, signal, sys\n"
        "def hook(event, args):\n"
        "    if event == 'import' and args[0] == 'typer':\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "sys.addaudithook(hook)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(hook)}
    done = subprocess.run(
        [sys.executable, "-m", "llmenv", "setup", "--dry-run"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == int(ExitCode.INTERRUPTED), done.stderr
    assert done.stderr == "interrupted\n"
