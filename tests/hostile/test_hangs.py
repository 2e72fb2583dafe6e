"""Every command ends, with a message, within a bound: YAML bombs, FIFOs, stalled indexes, lock timeouts.

Cases run the real CLI in a child process (`python -m llmenv`) with a wall-clock limit and, for the YAML bomb, an
address-space limit: a regression fails the test instead of hanging the suite or eating the machine's memory."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from llmenv.errors import ExitCode

pytestmark = pytest.mark.timeout(300)


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float


def llmenv(*args: str, limit: float = 30, memory_mb: int | None = None, cwd: Path | None = None) -> Run:
    def cap() -> None:
        if memory_mb:
            size = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (size, size))

    start = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "llmenv", *args],
            capture_output=True,
            text=True,
            timeout=limit,
            preexec_fn=cap,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"llmenv {' '.join(args)} did not end within {limit} s (output: {exc.stderr!r})")
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)


def assert_one_paragraph_error(run: Run, code: int, *words: str) -> None:
    """A distinct exit code, an `error:` paragraph with a fix, no traceback."""
    assert run.code == code, (run.code, run.out, run.err)
    assert "Traceback" not in run.out + run.err
    assert "error:" in run.err and "Fix:" in run.err, run.err
    for word in words:
        assert word in run.err, run.err


def bomb(levels: int = 9) -> str:
    """The billion-laughs document: a few hundred bytes that expand to 9**levels strings."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "name: bomb\npython: '>=3.10'\npackages: ['torch==2.13.0']\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize("command", [["profiles", "show"], ["profiles", "validate"], ["setup", "--dry-run"]])
def test_yaml_alias_bomb_fails_fast(tmp_path: Path, command: list[str]) -> None:
    spec = tmp_path / "bomb.yaml"
    spec.write_text(bomb())
    assert spec.stat().st_size < 1000
    run = llmenv(*command, str(spec), limit=30, memory_mb=1500)
    assert_one_paragraph_error(run, ExitCode.USAGE, "alias")
    assert run.seconds < 15


def test_yaml_bomb_in_project_profiles_keeps_list_working(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "bomb.yaml").write_text(bomb())
    run = llmenv("profiles", "list", limit=30, memory_mb=1500, cwd=tmp_path)
    assert run.code == 0, run.err
    assert "INVALID" in run.out and "bomb" in run.out and "transformers" in run.out
    assert run.seconds < 15


def test_moderate_aliases_still_load(tmp_path: Path) -> None:
    """Aliases are legitimate YAML: a profile reusing a package list stays valid."""
    spec = tmp_path / "ok.yaml"
    spec.write_text(
        "name: ok\npython: '>=3.10'\npackages: &pk ['torch==2.13.0']\n"
        "accelerators:\n  cpu:\n    packages: *pk\n  cuda:\n    packages: *pk\n"
    )
    run = llmenv("profiles", "show", str(spec))
    assert run.code == 0, run.err


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "profile.yaml"
    os.mkfifo(path)
    yield path


@pytest.mark.parametrize("command", [["profiles", "show"], ["profiles", "validate"], ["setup", "--dry-run"]])
def test_fifo_as_profile_is_refused(fifo: Path, command: list[str]) -> None:
    run = llmenv(*command, str(fifo), limit=20)
    assert_one_paragraph_error(run, ExitCode.USAGE, "not a regular file")


def test_fifo_as_parent_profile_is_refused(tmp_path: Path, fifo: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(f"name: child\npython: '>=3.10'\npackages: ['torch==2.13.0']\nextends: {fifo.name}\n")
    run = llmenv("profiles", "show", str(child), limit=20)
    assert_one_paragraph_error(run, ExitCode.USAGE, "not a regular file")


@pytest.mark.parametrize("name", ["imdb.tar.gz", "imdb.csv", "imdb.npz", "imdb"])
def test_fifo_as_smoke_data_is_refused(tmp_path: Path, name: str) -> None:
    data = tmp_path / name
    os.mkfifo(data)
    run = llmenv("smoke", "--profile", "torch", "--env", str(tmp_path / "none"), "--data", str(data), limit=20)
    assert_one_paragraph_error(run, ExitCode.USAGE, "not a regular file")


# --- locks ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def held_lock(tmp_path: Path) -> Iterator[Path]:
    """Another setup of the same env is running: its store lock is held by this process."""
    from llmenv.execute.store import EnvStore

    env = tmp_path / "env"
    store = EnvStore.at(env)
    with store.locked(1.0):
        yield env


def _tiny(tmp_path: Path) -> Path:
    spec = tmp_path / "tiny.yaml"
    spec.write_text("name: tiny\npython: '>=3.10'\naccelerator: cpu\npackages: ['alpha==1.0']\n")
    return spec


@pytest.mark.parametrize("value", ["-5", "nan", "inf", "-0.5"])
def test_setup_lock_timeout_is_validated(tmp_path: Path, held_lock: Path, value: str) -> None:
    run = llmenv("setup", str(_tiny(tmp_path)), "--env", str(held_lock), "--offline", "--lock-timeout", value)
    assert_one_paragraph_error(run, ExitCode.USAGE, "--lock-timeout")
    assert run.seconds < 20


def test_rollback_has_a_lock_timeout_it_can_suggest(held_lock: Path) -> None:
    run = llmenv("rollback", "--env", str(held_lock), "--lock-timeout", "1", limit=20)
    assert_one_paragraph_error(run, ExitCode.USAGE, "--lock-timeout")
    assert "waiting" in run.err  # it says what it waits for while it waits
    assert run.seconds < 15


def test_rollback_lock_timeout_is_validated(held_lock: Path) -> None:
    run = llmenv("rollback", "--env", str(held_lock), "--lock-timeout", "-5", limit=20)
    assert_one_paragraph_error(run, ExitCode.USAGE, "--lock-timeout")


# --- an index that accepts connections and never answers ----------------------------------------------------------


@pytest.fixture
def silent_index() -> Iterator[str]:
    """A TCP server on 127.0.0.1 that accepts and then says nothing: a firewall black-holing, a hung proxy."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/simple/"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


@pytest.mark.slow
def test_stalled_index_is_bounded_by_the_stall_timeout(
    tmp_path: Path, silent_index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip backend, PIP_DEFAULT_TIMEOUT=180 and retries: pip alone would sit silent for many minutes."""
    config = tmp_path / "pip.conf"
    config.write_text(f"[global]\nindex-url = {silent_index}\ntimeout = 180\nretries = 5\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    monkeypatch.setenv("PIP_DEFAULT_TIMEOUT", "180")
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    monkeypatch.setenv("LLMENV_STALL_TIMEOUT", "8")
    run = llmenv(
        "setup", str(_tiny(tmp_path)), "--env", str(tmp_path / "env"), "--backend", "pip", "--skip-smoke", limit=120
    )
    assert_one_paragraph_error(run, ExitCode.INSTALL_FAILED, silent_index, "LLMENV_STALL_TIMEOUT")
    assert f"no output for 4 s; waiting for {silent_index}" in run.err  # said while it waited, not only after
    assert run.seconds < 90
    assert not (tmp_path / "env").exists()


@pytest.mark.parametrize("value", ["abc", "-1", "0", "nan"])
def test_stall_timeout_is_validated(tmp_path: Path, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMENV_STALL_TIMEOUT", value)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    run = llmenv("setup", str(_tiny(tmp_path)), "--env", str(tmp_path / "env"), "--offline", "--dry-run")
    assert_one_paragraph_error(run, ExitCode.USAGE, "LLMENV_STALL_TIMEOUT")


# --- more non-regular and oversized inputs ----------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom", "folder", "fifo-link.yaml"])
def test_devices_folders_and_links_to_fifos_are_refused(tmp_path: Path, target: str) -> None:
    """/dev/zero never ends, /dev/urandom is endless bytes, a folder is no file, a link can point at a FIFO."""
    if target == "folder":
        path = tmp_path / "folder.yaml"
        path.mkdir()
    elif target == "fifo-link.yaml":
        os.mkfifo(tmp_path / "fifo")
        path = tmp_path / target
        path.symlink_to(tmp_path / "fifo")
    else:
        path = Path(target)
    for command in (["profiles", "validate"], ["profiles", "show"]):
        run = llmenv(*command, str(path), limit=20, memory_mb=1500)
        assert_one_paragraph_error(run, ExitCode.USAGE, "not a regular file")
        assert run.seconds < 15


def test_oversized_profile_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    spec = tmp_path / "huge.yaml"
    spec.write_text("name: huge\npython: '>=3.10'\npackages: ['torch==2.13.0']\n" + "# padding\n" * 300_000)
    run = llmenv("profiles", "show", str(spec), limit=20)
    assert_one_paragraph_error(run, ExitCode.USAGE, "too large")


def test_bomb_as_parent_profile_fails_fast(tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text(bomb())
    child = tmp_path / "child.yaml"
    child.write_text("name: child\nextends: parent\n")
    run = llmenv("profiles", "show", str(child), limit=30, memory_mb=1500)
    assert_one_paragraph_error(run, ExitCode.USAGE, "alias")
    assert run.seconds < 15


def test_mapping_bomb_fails_fast(tmp_path: Path) -> None:
    """The same explosion through mappings whose values are aliases, pulled in with a merge key (`<<: *a8`)."""
    lines = ["a0: &a0 {k0: lol, k1: lol, k2: lol, k3: lol, k4: lol, k5: lol, k6: lol, k7: lol, k8: lol}"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} {{" + ", ".join(f"k{k}: *a{i - 1}" for k in range(9)) + "}")
    spec = tmp_path / "mapping.yaml"
    spec.write_text("\n".join(lines) + "\nsmoke:\n  <<: *a8\nname: m\npython: '>=3.10'\npackages: ['torch==2.13.0']\n")
    run = llmenv("profiles", "validate", str(spec), limit=30, memory_mb=1500)
    assert_one_paragraph_error(run, ExitCode.USAGE, "alias")
    assert run.seconds < 15


def test_bomb_in_user_config_folder_keeps_list_working(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    (config / "profiles").mkdir(parents=True)
    (config / "profiles" / "bomb.yaml").write_text(bomb())
    os.mkfifo(config / "profiles" / "fifo.yaml")
    monkeypatch.setenv("LLMENV_CONFIG_DIR", str(config))
    run = llmenv("profiles", "list", limit=30, memory_mb=1500)
    assert run.code == 0, run.err
    assert "INVALID" in run.out and "transformers" in run.out
