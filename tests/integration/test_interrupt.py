"""Ctrl-C at each phase of `llmenv setup` says what happened to the env, in words, and exits 130: the real CLI in a
child process, a real SIGINT (what a terminal sends on Ctrl-C), a slow local index to hold it in a phase."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from tests.helpers.index_server import IndexServer
from tests.integration.test_setup import index, profile, start_setup, wait_for, wheels

__all__ = ["index", "wheels"]  # fixtures used by name


def last_line(text: str) -> str:
    return [line for line in text.splitlines() if line.strip()][-1]


def test_ctrl_c_during_install_says_the_env_is_unchanged(index: IndexServer, tmp_path: Path) -> None:
    """Failed before: the last line was "FAILED: installing 2 packages with uv" and nothing said "interrupted"."""
    env = tmp_path / "env"
    assert start_setup(profile(tmp_path, "alpha==1.0"), env).wait() == 0
    generation = os.readlink(env)
    index.slow["beta"] = 30.0
    proc = start_setup(profile(tmp_path, "alpha==2.0", "beta==1.0"), env)
    wait_for(lambda: any("beta" in r for r in index.downloads()))
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert last_line(err) == f"interrupted; {env} is unchanged (still generation {generation.rsplit('-', 1)[-1]})"
    assert "FAILED" not in err and "Traceback" not in err


def test_ctrl_c_of_a_first_setup_says_nothing_was_made(index: IndexServer, tmp_path: Path) -> None:
    env = tmp_path / "env"
    index.slow["beta"] = 30.0
    proc = start_setup(profile(tmp_path, "alpha==1.0", "beta==1.0"), env)
    wait_for(lambda: any("beta" in r for r in index.downloads()))
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert last_line(err) == f"interrupted; {env} is unchanged (no environment there yet)"
    assert not env.exists()


def test_ctrl_c_while_waiting_for_the_lock(index: IndexServer, tmp_path: Path) -> None:
    import subprocess
    import sys

    env = tmp_path / "env"
    spec = profile(tmp_path, "alpha==1.0", "beta==1.0")
    index.slow["beta"] = 60.0
    first = start_setup(spec, env)
    wait_for(lambda: any("beta" in r for r in index.downloads()))
    log = tmp_path / "second.err"
    with log.open("w") as stderr:
        second = subprocess.Popen(
            [sys.executable, "-m", "llmenv", "setup", str(spec), "--env", str(env)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        wait_for(lambda: "waiting" in log.read_text())
        second.send_signal(signal.SIGINT)
        code = second.wait(timeout=60)
    first.kill()
    first.wait()
    err = log.read_text()
    assert code == 130, err
    assert last_line(err) == f"interrupted; {env} is unchanged (no environment there yet)", err


def test_ctrl_c_of_a_first_setup_leaves_no_empty_store(index: IndexServer, tmp_path: Path) -> None:
    """Failed before: `env.llmenv/` stayed behind (lock, owner marker, counter, no generation)."""
    env = tmp_path / "env"
    index.slow["beta"] = 30.0
    proc = start_setup(profile(tmp_path, "alpha==1.0", "beta==1.0"), env)
    wait_for(lambda: any("beta" in r for r in index.downloads()))
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert not env.exists() and not env.is_symlink()
    assert not (tmp_path / "env.llmenv").exists(), sorted(p.name for p in (tmp_path / "env.llmenv").iterdir())


def test_ctrl_c_keeps_a_store_this_run_did_not_create(index: IndexServer, tmp_path: Path) -> None:
    """A store that held something before the run (here a file the user put there) is left as it was."""
    env = tmp_path / "env"
    spec = profile(tmp_path, "alpha==1.0", "beta==1.0")
    assert start_setup(profile(tmp_path, "alpha==1.0", name="first"), env).wait() == 0
    index.slow["beta"] = 30.0
    proc = start_setup(spec, env, "--force")
    wait_for(lambda: any("beta" in r for r in index.downloads()))
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert env.is_symlink() and (tmp_path / "env.llmenv").is_dir()
